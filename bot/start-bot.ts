// Wires config, storage, runners, the Matrix client and the command intake into a running bot.
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import { createHostActions } from "../runners/host-actions.ts";
import { createDeployPort } from "../runners/deploy-actions.ts";
import { applyStoredPins, createEnrollPort } from "../runners/enroll/enroll-port.ts";
import { readEnrollSettings } from "../runners/enroll/settings.ts";
import { createPrometheusMetrics } from "../http/prometheus-metrics.ts";
import { createSshPool, getDefaultPool, setDefaultPool } from "../runners/ssh/index.ts";
import { createStatusPort } from "../runners/status/index.ts";
import { createApprovalStore } from "../storage/approval-store.ts";
import { createAuditLog } from "../storage/audit-log.ts";
import { createHostKeyStore } from "../storage/host-key-store.ts";
import { createKvStore } from "../storage/kv-store.ts";
import { createLockStore } from "../storage/lock-store.ts";
import { openDatabase } from "../storage/open-database.ts";
import { CHECKPOINT_INTERVAL_MS, startCheckpointer } from "../storage/start-checkpointer.ts";
import { createProcessedEvents } from "../storage/processed-events.ts";
import { createOutboxStore } from "../storage/outbox-store.ts";
import { createApprovals, type Approvals } from "./approvals.ts";
import { bootstrapSync, SYNC_FILTER } from "./bootstrap-sync.ts";
import { createContextFactory } from "./command-context.ts";
import { createDeliver } from "./deliver-output.ts";
import { createDirectRoomCheck } from "./direct-rooms.ts";
import { createProgressMessages } from "./progress-message.ts";
import { createIntake } from "./intake.ts";
import { createInviteHandler, isEncrypted } from "./invites.ts";
import { createJoinTimes } from "./join-times.ts";
import { meterApprovals } from "./meter-approvals.ts";
import { registerSecret } from "./logger.ts";
import { MagiMatrixClient } from "./magi-client.ts";
import { readAccessToken } from "./read-access-token.ts";
import { checkMayRedactOthers } from "./redact-power.ts";
import { createReplyPort } from "./reply-port.ts";
import { createRoomAccess } from "./room-access.ts";
import { createRoomDirectory, type RoomDirectory } from "./room-directory.ts";
import { createConfigHolder } from "./config-holder.ts";
import { assembleLiveConfig, resolveCheckedInventory, viewLiveConfig } from "./live-config.ts";
import { createReloader, type ReloadOutcome } from "./reload-config.ts";
import { stopBot } from "./stop-bot.ts";
import { createRunApproved } from "./run-approved.ts";
import { createRunCommand } from "./run-command.ts";
import { startSchedules } from "./run-schedules.ts";
import { startSendQueue } from "./send-event.ts";
import { routeSdkLogs } from "./sdk-logging.ts";
import { createSqliteStorageProvider } from "./sqlite-storage-provider.ts";
import { createRoomResolver, readAlertmanagerUrls, startHttpIntake } from "./start-http.ts";
import { prepareChecks } from "./start-checks.ts";
import { prepareForgejo } from "./start-forgejo.ts";
import { createSilencesPort } from "./silences-port.ts";
import { createAlertsPort } from "./alerts-port.ts";
import { startJobs } from "./start-jobs.ts";
import { startTerminalIntake } from "./cli-socket-start.ts";
import { waitForHomeserver } from "./wait-for-homeserver.ts";

const PROCESSED_RETENTION_MS = 30 * 24 * 3600_000;

// A running bot, how to reload its config file, and how to stop it.
export interface RunningBot {
  userId: string;
  reload(): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

// Rooms before the directory is resolved (nothing reads them until the client is up).
const NO_ROOMS: RoomDirectory = { policyFor: () => undefined, roomIds: () => [] };

// Starts serving commands; resolves once the first sync is under way. configPath is the file a reload reads again.
export async function startBot(config: Config, log: Logger, configPath?: string): Promise<RunningBot> {
  const token = readAccessToken(config.matrix);
  if ("problem" in token) throw new Error(token.problem);
  registerSecret(token.token);
  routeSdkLogs(log);
  const checked = await resolveCheckedInventory(config);
  if ("problems" in checked) throw new Error(checked.problems.join("; "));
  // Every reader of the reloadable config reads through the holder, so a reload reaches them all at once.
  const holder = createConfigHolder(assembleLiveConfig(config, checked.inventory, NO_ROOMS));
  const { inventory, rooms, resolveLevel, policyFor } = viewLiveConfig(holder);
  const db = openDatabase(config.storage.path, log);
  const checkpointer = config.storage.path === ":memory:" ? undefined
    : startCheckpointer(db, config.storage.path, log, CHECKPOINT_INTERVAL_MS, (r) => log.debug({ frames: r.log, copied: r.checkpointed }, "WAL checkpointed"));
  const outbox = createOutboxStore(db);
  // Keys magi pinned by enrolling hosts serve every SSH connection of hosts that config pins none for.
  const hostKeys = createHostKeyStore(db);
  const configPins = applyStoredPins(checked.inventory, hostKeys);
  // Counted whether or not http.listen serves them.
  const metrics = createPrometheusMetrics({ readOutboxDepth: outbox.countPending });
  setDefaultPool(createSshPool({ onConnectFailed: metrics.countSshConnectFailure }));
  // Alerts are accepted (stored) from here on, even while the homeserver is unreachable; they are posted after the first sync.
  // Pings are accepted (stored) as soon as the intake listens; transitions are posted after the first sync.
  const checks = prepareChecks(config, db, log);
  const forgejo = prepareForgejo(config, db, inventory, policyFor, log);
  const http = await startHttpIntake(config, db, log, metrics, checks.pings, forgejo.deps);
  const storage = createSqliteStorageProvider(createKvStore(db));
  const audit = createAuditLog(db);
  const processed = createProcessedEvents(db);
  const client = new MagiMatrixClient(config.matrix.homeserver_url, token.token, storage);
  const userId = await waitForHomeserver(client, log);
  if (userId !== config.matrix.user_id) throw new Error(`matrix.user_id is ${config.matrix.user_id}, but the access token belongs to ${userId}`);
  const sends = startSendQueue(client, outbox, log, metrics);
  // People address magi by its display name too ("Magi: !status"); a profile lookup failure only loses that form.
  const displayName = await client.getUserProfile(userId).then((p: { displayname?: unknown }) => (typeof p?.displayname === "string" ? p.displayname : undefined), () => undefined);
  holder.replace(assembleLiveConfig(config, checked.inventory, await createRoomDirectory(client, config.rooms, log)));
  const access = createRoomAccess({ rooms, get adminDms() { return holder.current().config.admin_dms; }, resolveLevel, isDirectRoom: createDirectRoomCheck(client, userId) });
  const msgtypeFor = (roomId: string) => rooms.policyFor(roomId)?.replyMsgtype ?? "m.text";
  const jobs = startJobs(db, client, log, {
    concurrency: config.jobs.concurrency, msgtypeFor, prefix: config.matrix.command_prefix, notifyAfterMs: config.jobs.notify_after_seconds * 1000, metrics, inventory,
  });
  // Schedules post their own alert groups when there is no HTTP intake; a silence's change reaches either poster.
  const silences = createSilencesPort({ db, alertmanagerUrls: readAlertmanagerUrls(config), nudge: () => (http ? http.nudge() : schedules.nudge()), log, now: () => Date.now() });
  // Bound below: approvals run commands through contexts, and contexts let !cancel call off approvals.
  let approvals: Approvals | undefined;
  const contextFor = createContextFactory({
    approvals: { cancelOwn: (roomId, requester) => approvals!.cancelOwn(roomId, requester) },
    prefix: config.matrix.command_prefix, inventory, audit, jobs: jobs.queue, actions: createHostActions(inventory), status: createStatusPort(config.status),
    locks: createLockStore(db), deploys: createDeployPort(config.deploy, inventory, config.matrix.command_prefix),
    enroll: createEnrollPort(readEnrollSettings(config, configPins), inventory, hostKeys, configPins), alerts: createAlertsPort(db), checks: checks.port,
    silences,
    policyFor,
  });
  const reply = createReplyPort(client, log);
  const deliver = createDeliver({ client, reply, audit, log, attachJob: jobs.progress.attach, waitForJob: jobs.queue.waitFor });
  const approvalStore = meterApprovals(createApprovalStore(db), metrics);
  const runCommand = createRunCommand({
    contextFor, jobs: jobs.queue, audit, deliver, log, now: () => Date.now(), markActed: approvalStore.markActed, metrics,
    requestApproval: (target, ask) => approvals!.request(target, ask),
    showProgress: createProgressMessages({ post: reply.post, edits: jobs.edits, log }),
  });
  approvals = createApprovals({
    store: approvalStore, audit, reply, edits: jobs.edits, log, botUserId: userId, levelIn: access.levelIn, now: () => Date.now(),
    mayRedactOthers: (roomId, user) => checkMayRedactOthers(client, roomId, user),
    execute: createRunApproved({
      runCommand, callerIn: access.callerIn, msgtypeFor, waitForJob: jobs.queue.waitFor, markActed: approvalStore.markActed, audit, log, now: () => Date.now(),
    }),
  });
  const onInvite = createInviteHandler({ client, rooms, get adminDms() { return holder.current().config.admin_dms; }, resolveLevel, log });
  processed.pruneBefore(Date.now() - PROCESSED_RETENTION_MS);
  await bootstrapSync(client, storage, onInvite, log);
  for (const roomId of rooms.roomIds()) {
    await client.joinRoom(roomId).catch((e: Error) => log.warn({ roomId, err: e.message }, "cannot join configured room yet; waiting for an invite"));
    if (await isEncrypted(client, roomId)) log.error({ roomId }, "configured room uses end-to-end encryption, which this build of magi does not support; commands there are ignored");
  }
  const pushCommands = { runCommand, callerIn: access.callerIn, msgtypeFor, reply, prefix: config.matrix.command_prefix, botUserId: userId };
  const onPushReaction = forgejo.reactions(pushCommands);
  const intake = createIntake({
    botUserId: userId, botDisplayName: displayName, prefix: config.matrix.command_prefix, maxAgeMs: config.intake.max_command_age_seconds * 1000,
    access, joinTimes: createJoinTimes(client, userId), processed, audit, deliver, runCommand, log,
    // A reaction is a vote on an approval prompt or a 🚀 on a push proposal; each handler ignores the other's.
    approvals: { onRedaction: approvals.onRedaction, onReaction: async (roomId, event) => void (await Promise.all([approvals!.onReaction(roomId, event), onPushReaction(roomId, event)])) }, now: () => Date.now(), metrics,
  });
  client.onAwaited("room.event", intake.handleRoomEvent);
  client.onAwaited("room.invite", onInvite);
  await client.start(SYNC_FILTER);
  http?.attach(client, msgtypeFor);
  checks.attach(client, msgtypeFor, createRoomResolver(client, log));
  forgejo.attach(client, msgtypeFor, createRoomResolver(client, log), pushCommands);
  const runSchedules = (schedules: Config["schedules"]) => startSchedules({ schedules, inventory, status: createStatusPort(config.status), db, log, client, msgtypeFor, intake: http });
  let schedules = runSchedules(config.schedules);
  await jobs.reportInterrupted();
  // Approved requests a crash left unstarted run now; their replies and edits must not hold up the start.
  void approvals.resumeApproved().catch((e: Error) => log.error({ err: e.message }, "could not resume approved requests"));
  const sweeper = setInterval(() => void approvals.sweep().catch((e: Error) => log.warn({ err: e.message }, "approval sweep failed")), 5000);
  // `magi do`: the same runCommand pieces, as the Unix user at a terminal; see docs/terminal.md.
  const terminal = await startTerminalIntake({
    config, client, roomIds: () => rooms.roomIds(), contextFor, jobs: jobs.queue, audit, deliver, log, now: () => Date.now(), markActed: approvalStore.markActed, metrics,
    msgtypeFor, callerIn: access.callerIn, post: reply.post, approvals, approvalStore, listJobs: jobs.queue.list,
  });
  log.info({ userId, rooms: rooms.roomIds(), hosts: [...inventory.keys()] }, "magi is ready");
  const reload = configPath
    ? createReloader({
      path: configPath, holder, client, hostKeys, configPins, log, forgejo, ...(http ? { http } : {}),
      restartSchedules: async (next) => {
        await schedules.stop();
        schedules = runSchedules(next.schedules);
      },
    })
    : async (): Promise<ReloadOutcome> => ({ ok: false, problems: ["magi was started without a config file, so there is none to read again"] });
  return {
    userId,
    reload,
    stop: () => stopBot({
      log, graceMs: config.jobs.stop_grace_seconds * 1000,
      closeIntake: async () => {
        client.stop();
        await terminal?.stop();
        await http?.stop();
        await checks.stop();
        await forgejo.stop();
        clearInterval(sweeper);
        await schedules.stop();
        silences.stop();
      },
      queue: jobs.queue, processOf: jobs.processOf, tell: jobs.tell,
      drainReplies: async () => {
        await intake.drain();
        await jobs.progress.drain();
      },
      countUnsent: outbox.countPending, stopSending: sends.stop,
      close: async () => {
        await getDefaultPool().closeAll();
        await checkpointer?.stop();
        db.close();
      },
    }),
  };
}
