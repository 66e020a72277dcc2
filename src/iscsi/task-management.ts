// RFC 7143 11.5-11.6, 4.2.3: task management functions. Aborted tasks get no SCSI Response; the TMF response is
// sent only once every affected task has left the device. LUN and target resets reach the device as TargetEvents.
import type { TargetEvent } from '../scsi/logical-unit.js';
import { decodeLun } from '../scsi/lun.js';
import { Bhs, FINAL_BIT, PduOpcode, TmfBhs, TmfFunction, TmfResponse, newBhs, snLessThan } from './pdu.js';
import type { ReceivedPdu } from './pdu-reader.js';
import type { IscsiSession } from './session.js';

export function handleTaskManagement(session: IscsiSession, pdu: ReceivedPdu): void {
  const bhs = pdu.bhs;
  const fn = bhs[Bhs.FLAGS] & TmfBhs.FUNCTION_MASK;
  const itt = bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
  const lun = decodeLun(bhs, Bhs.LUN);
  const respond = (code: number): void => {
    const out = newBhs(PduOpcode.SCSI_TASK_MANAGEMENT_RESPONSE, FINAL_BIT, 0);
    out[TmfBhs.RESPONSE] = code;
    out.writeUInt32BE(itt, Bhs.INITIATOR_TASK_TAG);
    if (!session.ended) session.conn.output.sendStatus(out);
  };
  void run(session, fn, lun, bhs).then(
    (code) => {
      respond(code);
      if (fn === TmfFunction.TARGET_COLD_RESET && code === TmfResponse.FUNCTION_COMPLETE) {
        // 4.2.3.x: after a cold reset the target drops every connection to it, this one included.
        for (const s of session.conn.sessionTable.sessionsOf(session.id.target?.name)) s.conn.closeAfterFlush('target cold reset');
      }
    },
    (err: unknown) => {
      session.conn.log.error({ err, fn }, 'task management function failed');
      respond(TmfResponse.FUNCTION_REJECTED);
    },
  ).catch((err: unknown) => session.conn.log.error({ err, fn }, 'task management response failed'));
}

async function run(session: IscsiSession, fn: number, lun: number | undefined, bhs: Buffer): Promise<number> {
  const target = session.id.target;
  if (!target) return TmfResponse.FUNCTION_REJECTED;
  const device = target.device;
  const lunKnown = lun !== undefined && device.hasLun(lun);
  const allSessions = (): IscsiSession[] => session.conn.sessionTable.sessionsOf(target.name);
  const event = (e: TargetEvent): void => device.handleEvent(e);
  switch (fn) {
    case TmfFunction.ABORT_TASK: {
      const rtt = bhs.readUInt32BE(TmfBhs.REFERENCED_TASK_TAG);
      const task = session.tasks.get(rtt);
      if (task) {
        if (lun !== undefined && task.init.lun !== lun) return TmfResponse.TASK_DOES_NOT_EXIST;
        await session.abortTasks((t) => t === task);
        return TmfResponse.FUNCTION_COMPLETE;
      }
      // 11.5.1: a command not received yet but inside the window is considered received (and aborted).
      const refCmdSN = bhs.readUInt32BE(TmfBhs.REF_CMD_SN);
      const tmfCmdSN = bhs.readUInt32BE(Bhs.CMD_SN);
      if (session.window.inWindow(refCmdSN) && snLessThan(refCmdSN, tmfCmdSN) && session.window.accepts(refCmdSN)) {
        session.window.consume(refCmdSN);
        return TmfResponse.FUNCTION_COMPLETE;
      }
      return TmfResponse.TASK_DOES_NOT_EXIST;
    }
    case TmfFunction.ABORT_TASK_SET:
      if (!lunKnown) return TmfResponse.LUN_DOES_NOT_EXIST;
      await session.abortTasks((t) => t.init.lun === lun);
      return TmfResponse.FUNCTION_COMPLETE;
    case TmfFunction.CLEAR_TASK_SET:
      if (!lunKnown) return TmfResponse.LUN_DOES_NOT_EXIST;
      await Promise.all(allSessions().map((s) => s.abortTasks((t) => t.init.lun === lun)));
      event({ kind: 'clear-task-set', lun, by: session.nexus });
      return TmfResponse.FUNCTION_COMPLETE;
    case TmfFunction.LOGICAL_UNIT_RESET:
      if (!lunKnown) return TmfResponse.LUN_DOES_NOT_EXIST;
      await Promise.all(allSessions().map((s) => s.abortTasks((t) => t.init.lun === lun)));
      event({ kind: 'logical-unit-reset', lun, by: session.nexus });
      return TmfResponse.FUNCTION_COMPLETE;
    case TmfFunction.TARGET_WARM_RESET:
    case TmfFunction.TARGET_COLD_RESET:
      await Promise.all(allSessions().map((s) => s.abortTasks(() => true)));
      event({ kind: 'target-reset', cold: fn === TmfFunction.TARGET_COLD_RESET, by: session.nexus });
      return TmfResponse.FUNCTION_COMPLETE;
    case TmfFunction.CLEAR_ACA:
      // NACA is never accepted, so there is no ACA condition to clear.
      return TmfResponse.FUNCTION_NOT_SUPPORTED;
    case TmfFunction.TASK_REASSIGN:
      return TmfResponse.TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED;
    default:
      return TmfResponse.FUNCTION_REJECTED;
  }
}
