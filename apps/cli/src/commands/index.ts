import type { Command } from 'commander';
import { registerGenerate } from './generate.command';
import { registerKafkaTopics } from './kafka-topics.command';
import { registerPublish } from './publish.command';

/** A CLI command registers itself (name, options, action) on the program. */
export type RegisterCommand = (program: Command) => void;

// One line per command; keep the list sorted.
export const commands: RegisterCommand[] = [registerGenerate, registerKafkaTopics, registerPublish];
