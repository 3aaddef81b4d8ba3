/**
 * `UserInput`, the items of `turn/start.input` (and the `content` of a `userMessage` item), tagged by `type`.
 * An unknown tag gives ``unknown variant `bogus`, expected one of `text`, `image`, `localImage`, `audio`,
 * `localAudio`, `skill`, `mention` `` (SPEC §1). The zod schema (`UserInputSchema`) is in `param-schemas.ts`.
 */
import { SerdeError } from './serde-text.js';
import { wEnum, wTaggedEnum } from './wire-enum.js';
import { type StructOptions, optional, optionalDefault, required, withDefault, wStruct, wStructVariant } from './wire-struct.js';
import { type WireOutput, type Zod, wPath, wString, wUsize, wVec } from './wire-type.js';

/** Byte range of a text element inside its parent text. */
export const ByteRangeWire = wStruct('ByteRange', { start: required(wUsize), end: required(wUsize) });
/** `ByteRange` as decoded (serde defaults filled in, unknown fields dropped). */
export type ByteRange = WireOutput<typeof ByteRangeWire>;

/** A UI-defined span inside a text input. */
export const TextElementWire = wStruct('TextElement', {
  byteRange: required(ByteRangeWire),
  placeholder: optional(wString),
});
/** `TextElement` as decoded (serde defaults filled in, unknown fields dropped). */
export type TextElement = WireOutput<typeof TextElementWire>;

const ImageDetailWire = wEnum('ImageDetail', ['auto', 'low', 'high', 'original']);

const mediaSourceShape = (zod: Zod) => ({ url: zod.string().optional(), fileId: zod.string().optional() });

/**
 * `image` and `audio` carry a flattened untagged source: `{url}` or `{fileId}` (url wins when both are
 * strings). Reference behaviour (inferred from the schema's `anyOf`, not observed): neither present gives
 * serde's untagged-enum message; the Rust name of that enum is a guess.
 */
function mediaSource(): StructOptions<ReturnType<typeof mediaSourceShape>> {
  return {
    noSeq: true,
    extraShape: mediaSourceShape,
    check: (raw, out) => {
      if (typeof raw['url'] === 'string') out['url'] = raw['url'];
      else if (typeof raw['fileId'] === 'string') out['fileId'] = raw['fileId'];
      else throw new SerdeError('data did not match any variant of untagged enum UserInputSource');
    },
  };
}

/** The wire type of one `UserInput`; the decoded value keeps `type` first. */
export const UserInputWire = wTaggedEnum('UserInput', 'type', {
  text: wStructVariant('UserInput', 'Text', {
    text: required(wString),
    text_elements: withDefault(wVec(TextElementWire), []),
  }),
  image: wStructVariant('UserInput', 'Image', { detail: optionalDefault(ImageDetailWire) }, mediaSource()),
  localImage: wStructVariant('UserInput', 'LocalImage', {
    path: required(wPath),
    detail: optionalDefault(ImageDetailWire),
  }),
  audio: wStructVariant('UserInput', 'Audio', {}, mediaSource()),
  localAudio: wStructVariant('UserInput', 'LocalAudio', { path: required(wPath) }),
  skill: wStructVariant('UserInput', 'Skill', { name: required(wString), path: required(wPath) }),
  mention: wStructVariant('UserInput', 'Mention', { name: required(wString), path: required(wString) }),
});
/** One user input item; narrow on `type`. */
export type UserInput = WireOutput<typeof UserInputWire>;
