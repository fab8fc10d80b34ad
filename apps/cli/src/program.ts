import { Command } from 'commander';
import { commands } from './commands';

/** The operator CLI: one sub-command per file in ./commands, each registering itself on the program. */
export function buildProgram(): Command {
  const program = new Command('continuum')
    .description('Continuum operator commands')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  for (const register of commands) register(program);
  return program;
}
