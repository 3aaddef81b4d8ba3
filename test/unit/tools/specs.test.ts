/**
 * The tool specs offered to the model (issue 14), as Codex 0.169.0 sends them to a mock model: exec_command and
 * write_stdin to every model, the freeform apply_patch only to the catalogue's (gpt-5.5 observed), in its order.
 */
import { describe, expect, test } from 'vitest';
import { toolSpecsFor } from '../../../src/tools/specs.js';

const all = () => true;

describe('toolSpecsFor', () => {
  test('a catalogue model gets exec_command, write_stdin and the freeform apply_patch, in the reference order', () => {
    const specs = toolSpecsFor(true, all);
    expect(specs.map((s) => `${s['type']}:${s['name']}`)).toEqual(['function:exec_command', 'function:write_stdin', 'custom:apply_patch']);
    expect(specs[0]).toMatchObject({ strict: false, description: 'Runs a command in a PTY, returning output or a session ID for ongoing interaction.', parameters: { required: ['cmd'], additionalProperties: false } });
    expect(specs[2]).toMatchObject({ format: { type: 'grammar', syntax: 'lark' } });
  });

  test('an unknown model gets no apply_patch', () => {
    expect(toolSpecsFor(false, all).map((s) => s['name'])).toEqual(['exec_command', 'write_stdin']);
  });

  test('only tools the thread runs are offered', () => {
    expect(toolSpecsFor(true, (name) => name === 'apply_patch').map((s) => s['name'])).toEqual(['apply_patch']);
    expect(toolSpecsFor(true, () => false)).toEqual([]);
  });
});
