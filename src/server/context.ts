import type { ConfigService } from '../config/config-service.js';
import type { FileSearchSessions } from '../discovery/file-search-sessions.js';
import type { ImplementedMethod, MethodParams, MethodResult } from '../protocol/runtime.js';
import type { Logger } from '../support/logger.js';
import type { ThreadManager } from '../threads/thread-manager.js';
import type { ApprovalPort } from '../tools/approval.js';
import type { NotificationTarget, Notifier } from './notifier.js';

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
  /**
   * `configWarning`s a client gets when it starts a thread (reference behaviour, observed: a missing bubblewrap is
   * reported before the thread/start answer).
   */
  configWarnings?: readonly { summary: string; details: string | null }[];
}

/**
 * The connection a request arrived on, as handlers see it. One per client; a server may hold several at
 * once, so handlers address replies and per-client notifications through this, never through a global.
 */
export interface ConnectionState extends NotificationTarget {
  readonly initialized: boolean;
  /** `clientInfo.name` from `initialize` (`""` before): the `originator` of threads this client creates. */
  readonly clientName: string;
  /** `clientInfo.version` from `initialize` (`""` before): named, with the name, in the user agent of this client's turns. */
  readonly clientVersion?: string;
  /**
   * Records the client of `initialize` and opens the gate for every other method. Throws the reference's
   * `Already initialized` error when the connection is initialized already, changing nothing.
   */
  initialize(clientName: string, optOutNotificationMethods: readonly string[], experimentalApi?: boolean, clientVersion?: string): void;
  /** `capabilities.experimentalApi` from `initialize` (false before): experimental params are refused without it. */
  readonly experimentalApi: boolean;
  /** Approval requests of the turns this client starts go to this client (server→client requests). */
  readonly approvals: ApprovalPort;
  /**
   * Runs `task` once the client has sent nothing and waited for nothing for a short while; never after it left.
   * For preparation that saves a later request time and must not delay one that is already there.
   */
  whenQuiet(task: () => void): void;
}

/** What a handler may use: the domain facade, the notifier and the connection the request came on. */
export interface RequestContext {
  threads: ThreadManager;
  /** `config.toml` reads and in-place edits (the config methods). */
  config: ConfigService;
  /** The `fuzzyFileSearch` sessions of this server. */
  fileSearch: FileSearchSessions;
  notifier: Notifier;
  info: ServerInfo;
  log: Logger;
  connection: ConnectionState;
}

/** A handler's answer: the result, and notifications to send once the response is on the wire. */
export interface HandlerResult<R> {
  result: R;
  /** Runs after the response has been written (on the next macrotask), so notifications follow it. */
  after?: () => void;
}

/**
 * The handler of method `M`: gets the decoded params of `M` (never raw JSON) and returns the result of
 * `M`. Handlers throw domain errors (`ThreadError`, …), never JSON-RPC errors; `errors.ts` maps them.
 */
export type Handler<M extends ImplementedMethod> = (
  params: MethodParams<M>,
  cx: RequestContext,
) => HandlerResult<MethodResult<M>> | Promise<HandlerResult<MethodResult<M>>>;

export function userAgentFor(info: ServerInfo, clientName: string, clientVersion: string): string {
  return `${clientName}/${info.version} (${info.osDescription}; ${info.arch}) ${info.terminal} (${clientName}; ${clientVersion})`;
}
