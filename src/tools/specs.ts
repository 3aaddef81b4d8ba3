/**
 * The tool specs offered to the model (the `tools` array of a Responses request), copied from what Codex 0.169.0
 * sends to a mock model: same names, descriptions and JSON schemas, in its order. We offer only the tools this
 * server runs; the reference's others (request_user_input, view_image, the goal tools, tool_search, web_search,
 * multi_agent) are left out (README, "Known differences").
 */
import specs from './tool-specs.json' with { type: 'json' };

export type ToolSpec = Record<string, unknown>;

/** Tool names in the order the reference lists them. */
const ORDER = ['exec_command', 'write_stdin', 'apply_patch'] as const;
export type OfferedToolName = (typeof ORDER)[number];

/**
 * The specs to send for a model. Reference behaviour (observed with a mock model): every model gets
 * `exec_command` and `write_stdin`; the freeform `apply_patch` custom tool only goes to the catalogue's models
 * (e.g. `gpt-5.5`), not to a model it does not know. `available` names the tools the thread's toolset runs.
 */
export function toolSpecsFor(knownModel: boolean, available: (name: string) => boolean): ToolSpec[] {
  return ORDER.filter((name) => available(name) && (name !== 'apply_patch' || knownModel)).map((name) => specs[name] as ToolSpec);
}
