import type { Command } from '../command';
import { demoCommand } from './demo';
import { disableCommand } from './disable';
import { enableCommand } from './enable';
import { listCommand } from './list';
import { messageCommand } from './message';
import { serveCommand } from './serve';
import { waitCommand } from './wait';
import { watchCommand } from './watch';

/** Every command, in the order `faultline --help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  demoCommand,
  watchCommand,
  waitCommand,
  enableCommand,
  disableCommand,
  messageCommand,
  listCommand,
];
