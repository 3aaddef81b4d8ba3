/** What main.ts needs of tools/: the thread toolset factory and the bubblewrap probe. */
export { createThreadTools } from './thread-tools.js';
export { bwrapMissingWarning, findBwrap } from './sandbox/availability.js';
