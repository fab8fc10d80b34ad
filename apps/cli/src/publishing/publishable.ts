import type { OutgoingMessage } from '@continuum/messaging';

/** One message ready to send, or a problem with the input that stops it being sent (reported, not thrown). */
export type Publishable =
  | { kind: 'message'; topic: string; message: OutgoingMessage }
  | { kind: 'problem'; where: string; reason: string };
