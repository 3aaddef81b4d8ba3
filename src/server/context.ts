import type { Logger } from '../support/logger.js';
import type { ThreadManager } from '../threads/thread-manager.js';
import type { Notifier } from './notifier.js';

/** Facts about this server process that `initialize` reports (computed once by main). */
export interface ServerInfo {
  version: string;
  codexHome: string;
  /** `Debian 12.0.0`-style OS description for the user agent. */
  osDescription: string;
  arch: string;
  terminal: string;
  hostname: string;
  /** `linux`, `macos`, … as `initialize` reports it. */
  platformOs: string;
  installationId: string;
}

/** The per-connection facts handlers need. */
export interface ConnectionState {
  readonly initialized: boolean;
  readonly clientName: string;
  notify(method: string, params: Record<string, unknown>): void;
}

export interface RequestContext {
  threads: ThreadManager;
  notifier: Notifier;
  info: ServerInfo;
  log: Logger;
  connection: ConnectionState & import('./notifier.js').NotificationTarget;
}

/** A handler's answer: the result, and notifications to send once the response is on the wire. */
export interface HandlerResult {
  result: unknown;
  after?: () => void;
}

export type Handler<P> = (params: P, cx: RequestContext) => Promise<HandlerResult> | HandlerResult;

export function userAgentFor(info: ServerInfo, clientName: string, clientVersion: string): string {
  return `${clientName}/${info.version} (${info.osDescription}; ${info.arch}) ${info.terminal} (${clientName}; ${clientVersion})`;
}
