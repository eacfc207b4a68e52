/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** Unexpected internal error (a bug). */
  crash: 1,
  /** Bad input: flag, config file, unavailable backend explicitly asked for. */
  usage: 2,
  /** A sweep that finished but some cells failed after their retries. */
  completedWithFailures: 3,
  /** `harness compare` found a regression. */
  regression: 4,
  /** `harness check-plugin`: a plugin failed one of its checks. */
  checkFailed: 5,
} as const;
