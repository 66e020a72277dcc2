// RFC 7143 11.4 and 11.7: turning a ScsiResponse into Data-In PDUs and a SCSI Response. Data-In is cut at the
// initiator's MaxRecvDataSegmentLength with subarray (no copy); F ends each MaxBurstLength sequence; the status
// rides in the last Data-In (S bit) when there is no sense data to send.
import type { ScsiResponse } from '../scsi/logical-unit.js';
import { SenseFormat, encodeSense, senseOf } from '../scsi/sense.js';
import { ScsiStatus } from '../scsi/status.js';
import { Bhs, DataBhs, FINAL_BIT, PduOpcode, RESERVED_TAG, ResponseBhs, newBhs } from './pdu.js';
import type { ScsiTask } from './scsi-task.js';

export interface OutgoingPdu {
  readonly bhs: Buffer;
  readonly data?: Buffer;
  /** Carries status: takes (and advances) StatSN. */
  readonly status: boolean;
}

interface Residuals {
  readFlags: number;
  readCount: number;
  writeFlags: number;
  writeCount: number;
}

/** 11.4.5: residual counts from what the device produced/needed vs. what the initiator expected. */
function residuals(task: ScsiTask, response: ScsiResponse): Residuals {
  const r: Residuals = { readFlags: 0, readCount: 0, writeFlags: 0, writeCount: 0 };
  const produced = response.dataIn?.length ?? 0;
  const expectedIn = task.readLength;
  if (task.init.read || task.init.bidiReadLength !== undefined || produced > 0) {
    if (produced > expectedIn) {
      r.readFlags = ResponseBhs.FLAG_OVERFLOW;
      r.readCount = produced - expectedIn;
    } else if (produced < expectedIn) {
      r.readFlags = ResponseBhs.FLAG_UNDERFLOW;
      r.readCount = expectedIn - produced;
    }
  }
  const needed = response.dataOutLength;
  if (needed !== undefined) {
    const sent = task.writeLength;
    if (needed > sent) {
      r.writeFlags = ResponseBhs.FLAG_OVERFLOW;
      r.writeCount = needed - sent;
    } else if (needed < sent) {
      r.writeFlags = ResponseBhs.FLAG_UNDERFLOW;
      r.writeCount = sent - needed;
    }
  }
  return r;
}

export function buildTaskResponse(
  task: ScsiTask,
  response: ScsiResponse,
  initiatorMaxRecvDataSegmentLength: number,
  maxBurstLength: number,
): OutgoingPdu[] {
  const out: OutgoingPdu[] = [];
  const dataIn = response.dataIn;
  const sendLength = Math.min(dataIn?.length ?? 0, task.readLength);
  const res = residuals(task, response);
  const bidi = task.init.bidiReadLength !== undefined;
  // Unidirectional reads report the read residual in the main fields; bidirectional ones use o/u and field 40.
  let flags = 0;
  let count = 0;
  let bidiCount = 0;
  if (bidi) {
    flags = (res.readFlags === ResponseBhs.FLAG_OVERFLOW ? ResponseBhs.FLAG_BIDI_OVERFLOW : 0) |
      (res.readFlags === ResponseBhs.FLAG_UNDERFLOW ? ResponseBhs.FLAG_BIDI_UNDERFLOW : 0) | res.writeFlags;
    bidiCount = res.readCount;
    count = res.writeCount;
  } else if (res.readFlags !== 0) {
    flags = res.readFlags;
    count = res.readCount;
  } else {
    flags = res.writeFlags;
    count = res.writeCount;
  }
  const statusInData = sendLength > 0 && !response.sense && !bidi && response.status !== ScsiStatus.CHECK_CONDITION;
  const segment = Math.max(512, initiatorMaxRecvDataSegmentLength);
  // 11.7.5: a bidirectional command numbers its R2Ts and Data-In PDUs in one sequence.
  if (bidi) task.dataInCount = Math.max(task.dataInCount, task.r2tCount);
  if (dataIn && sendLength > 0) {
    let burstStart = 0;
    for (let offset = 0; offset < sendLength; ) {
      const burstEnd = Math.min(burstStart + maxBurstLength, sendLength);
      const n = Math.min(segment, burstEnd - offset);
      const last = offset + n >= sendLength;
      const endOfBurst = offset + n >= burstEnd;
      const withStatus = last && statusInData;
      const bhs = newBhs(
        PduOpcode.SCSI_DATA_IN,
        (endOfBurst ? FINAL_BIT : 0) | (withStatus ? DataBhs.FLAG_STATUS | flags : 0),
        0,
      );
      if (withStatus) bhs[ResponseBhs.STATUS] = response.status;
      bhs.writeUInt32BE(task.itt, Bhs.INITIATOR_TASK_TAG);
      bhs.writeUInt32BE(RESERVED_TAG, Bhs.TARGET_TRANSFER_TAG);
      bhs.writeUInt32BE(task.dataInCount++, DataBhs.DATA_SN);
      bhs.writeUInt32BE(offset, DataBhs.BUFFER_OFFSET);
      if (withStatus) bhs.writeUInt32BE(count >>> 0, DataBhs.RESIDUAL_COUNT);
      out.push({ bhs, data: dataIn.subarray(offset, offset + n), status: withStatus });
      offset += n;
      if (endOfBurst) burstStart = offset;
    }
    if (statusInData) return out;
  }
  const bhs = newBhs(PduOpcode.SCSI_RESPONSE, FINAL_BIT | flags, 0);
  bhs[ResponseBhs.RESPONSE] = 0x00; // command completed at target
  bhs[ResponseBhs.STATUS] = response.status;
  bhs.writeUInt32BE(task.itt, Bhs.INITIATOR_TASK_TAG);
  bhs.writeUInt32BE(bidi ? task.dataInCount : task.dataInCount + task.r2tCount, ResponseBhs.EXP_DATA_SN);
  bhs.writeUInt32BE(bidiCount >>> 0, ResponseBhs.BIDI_READ_RESIDUAL_COUNT);
  bhs.writeUInt32BE(count >>> 0, ResponseBhs.RESIDUAL_COUNT);
  let data: Buffer | undefined;
  if (response.sense && response.sense.length > 0) {
    // 11.4.7: SenseLength (2 bytes) then the sense data.
    data = Buffer.allocUnsafe(2 + response.sense.length);
    data.writeUInt16BE(response.sense.length, 0);
    response.sense.copy(data, 2);
  }
  out.push({ bhs, ...(data ? { data } : {}), status: true });
  return out;
}

/** The target's own CHECK CONDITION answers (a digest error, a write too large, a device that failed). */
export function senseResponse(reason: 'PROTOCOL_SERVICE_CRC_ERROR' | 'INSUFFICIENT_RESOURCES' | 'INTERNAL_TARGET_FAILURE'): ScsiResponse {
  return { status: ScsiStatus.CHECK_CONDITION, sense: encodeSense(senseOf(reason), SenseFormat.FIXED) };
}
