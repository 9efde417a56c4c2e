import { defineConfig } from "vitest/config";

// Unit tests are fast and need nothing; e2e tests start a real Synapse and real sshd hosts. Two files at a time in
// each (vitest's default on a 2-core machine is one): an e2e file mostly waits on timers and servers, and each has
// its own users, rooms, free ports and directories on the one Synapse the global setup starts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/harness/global-setup.ts"],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
