import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** Source of identifiers. Threads, turns and items use UUIDv7 (time-ordered), as the reference does. */
export interface IdSource {
  /** A lowercase hyphenated UUIDv7. */
  uuid7(): string;
  /** A lowercase hyphenated random UUIDv4. */
  uuid4(): string;
}

export const systemIds: IdSource = {
  uuid7: () => uuidv7(),
  uuid4: () => randomUUID(),
};
