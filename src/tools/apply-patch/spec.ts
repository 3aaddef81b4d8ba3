/**
 * The `apply_patch` tool as 0.169 offers it to models with a freeform patch tool (e.g. `gpt-5.5`): a custom tool
 * whose input is the patch text, constrained by a Lark grammar. Captured from the reference's request to the mock
 * model; the text must stay byte-identical.
 */
import type { JsonObject } from '../../support/json-values.js';

export const APPLY_PATCH_TOOL_NAME = 'apply_patch';

const LARK_GRAMMAR = [
  "start: begin_patch hunk+ end_patch",
  "begin_patch: \"*** Begin Patch\" LF",
  "end_patch: \"*** End Patch\" LF?",
  "",
  "hunk: add_hunk | delete_hunk | update_hunk",
  "add_hunk: \"*** Add File: \" filename LF add_line+",
  "delete_hunk: \"*** Delete File: \" filename LF",
  "update_hunk: \"*** Update File: \" filename LF change_move? change?",
  "",
  "filename: /(.+)/",
  "add_line: \"+\" /(.*)/ LF -> line",
  "",
  "change_move: \"*** Move to: \" filename LF",
  "change: (change_context | change_line)+ eof_line?",
  "change_context: (\"@@\" | \"@@ \" /(.+)/) LF",
  "change_line: (\"+\" | \"-\" | \" \") /(.*)/ LF",
  "eof_line: \"*** End of File\" LF",
  "",
  "%import common.LF",
  ""
].join('\n');

/** The `tools[]` entry: `{"type":"custom","name":"apply_patch","description","format":{grammar}}`. */
export function applyPatchToolSpec(): JsonObject {
  return {
    type: 'custom',
    name: APPLY_PATCH_TOOL_NAME,
    description: "The `apply_patch` tool can be used to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.",
    format: { type: 'grammar', syntax: 'lark', definition: LARK_GRAMMAR },
  };
}
