import type { Command } from 'commander';

/** Placeholder until the 'sweep' command lands; registers nothing. */
export function register(_program: Command): void {}
