// A MatrixClient whose sync waits for magi's handlers before saving the sync token, so a crash replays rather than loses events.
import { MatrixClient, type IStorageProvider } from "matrix-bot-sdk";

// The handlers magi awaits for each synced event.
export type SyncHandler = (...payload: any[]) => Promise<void> | void;

// MatrixClient with at-least-once delivery to magi's handlers; the processed-events table makes execution at-most-once.
export class MagiMatrixClient extends MatrixClient {
  private readonly awaited = new Map<string, SyncHandler[]>();
  private stopped = false;

  constructor(homeserverUrl: string, accessToken: string, storage: IStorageProvider) {
    super(homeserverUrl, accessToken, storage);
    this.persistTokenAfterSync = true;
  }

  // Registers a handler that the sync loop awaits before it stores the next token.
  onAwaited(eventType: string, handler: SyncHandler): void {
    this.awaited.set(eventType, [...(this.awaited.get(eventType) ?? []), handler]);
  }

  // After the handlers, one macrotask turn before the SDK stores the token and builds the next /sync request: replies
  // the handlers started in the background reach their PUT first (it otherwise waited behind that synchronous work).
  protected override async processSync(raw: any, emitFn?: (eventType: string, ...payload: any[]) => Promise<any>): Promise<any> {
    // A long-poll that returns after stop() is not handled, and its token is not stored: the next start gets these events.
    if (this.stopped) throw new Error("magi is stopping; this sync is left for the next start");
    await super.processSync(raw, emitFn);
    await new Promise((resolve) => setImmediate(resolve));
  }

  // Stops syncing; events of a /sync still under way are left for the next start.
  override stop(): void {
    this.stopped = true;
    super.stop();
  }

  protected override startSyncInternal(): Promise<any> {
    this.stopped = false;
    return this.startSync(async (eventType, ...payload) => {
      for (const handler of this.awaited.get(eventType) ?? []) await handler(...payload);
      this.emit(eventType, ...payload);
    });
  }
}
