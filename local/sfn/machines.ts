/** The state machines of `stateMachinesDir`, reloaded when a file changes, made runnable with aws-local-stepfunctions. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { loadStateMachines, type CompiledStateMachine } from './definition.js';
import { SfnError, type EmulatorLog } from './model.js';

export interface MachineRegistry {
  /** (Re)loads the state machine files; answers the runnable machines by name, logging new load errors. */
  machines(): Promise<Map<string, CompiledStateMachine>>;
  /** The machine of `arn`; SfnError InvalidArn / StateMachineDoesNotExist (with the load error, if any). */
  machineByArn(arn: unknown): Promise<CompiledStateMachine>;
  /** The aws-local-stepfunctions machine of a machine answered by `machines()`. */
  runnable(sm: CompiledStateMachine): StateMachine;
}

/**
 * asl-validator takes 0.2-0.9 s per definition (it compiles its JSON schemas every time): a definition is
 * validated once per content, and its digest remembered under node_modules/.cache, so restarts and test
 * files do not pay it again. An invalid definition is never remembered and fails to load every time.
 */
const VALIDATED_DIR = fileURLToPath(new URL('../../node_modules/.cache/apibibind-asl-validated/', import.meta.url));

function construct(def: StateMachineDefinition): StateMachine {
  const digest = createHash('sha256').update(JSON.stringify(def)).digest('hex');
  const marker = `${VALIDATED_DIR}${digest}`;
  if (existsSync(marker)) return new StateMachine(def, { validationOptions: { noValidate: true } });
  const sm = new StateMachine(def);
  try {
    mkdirSync(VALIDATED_DIR, { recursive: true });
    writeFileSync(marker, '');
  } catch {
    // A read-only tree: validate again next time.
  }
  return sm;
}

export function createMachineRegistry(o: {
  stateMachinesDir: string;
  service: string;
  stage: string;
  waitScale: number;
  log: EmulatorLog;
}): MachineRegistry {
  const { service, stage, waitScale, log } = o;
  let compiledCache = new Map<string, CompiledStateMachine>();
  const runnable = new WeakMap<CompiledStateMachine, StateMachine>();
  let loadErrors = new Map<string, string>();

  const machines = async (): Promise<Map<string, CompiledStateMachine>> => {
    const { machines: ms, errors } = await loadStateMachines(o.stateMachinesDir, { service, stage, waitScale }, compiledCache);
    for (const [name, sm] of ms) {
      if (runnable.has(sm)) continue;
      try {
        runnable.set(sm, construct(sm.runnableDefinition as unknown as StateMachineDefinition));
      } catch (err) {
        ms.delete(name);
        errors.set(name, (err as Error).message);
      }
    }
    for (const [name, msg] of errors) {
      if (loadErrors.get(name) !== msg) log(`state machine ${name} not loaded: ${msg}`);
    }
    compiledCache = ms;
    loadErrors = errors;
    return ms;
  };

  const machineByArn = async (arn: unknown): Promise<CompiledStateMachine> => {
    if (typeof arn !== 'string' || !/^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(arn)) {
      throw new SfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
    }
    for (const sm of (await machines()).values()) if (sm.arn === arn) return sm;
    const short = arn.split(':').pop()!.replace(`${service}-${stage}-`, '');
    const why = loadErrors.get(short);
    throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'${why ? ` (load error: ${why})` : ''}`);
  };

  return { machines, machineByArn, runnable: (sm) => runnable.get(sm)! };
}
