/** Result schema of `thread/metadata/update`. */
import { z } from 'zod';
import { ThreadSchema } from './thread.js';

export const ThreadMetadataUpdateResponseSchema = z.object({ thread: ThreadSchema });
