// Prometheus text format (version 0.0.4) for the scale roles: ownership, epochs, progress and lag per
// partition, live workers, and the ingest router's counts.
import type { WorkerStatus } from './worker.ts';

export interface IngestCounts {
  tenant: string;
  routedEvents: number;
  rejectedMessages: number;
}

const label = (v: string | number) => String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

class Families {
  private readonly lines = new Map<string, { help: string; type: string; samples: string[] }>();
  add(name: string, type: 'gauge' | 'counter', help: string, labels: Record<string, string | number>, value: number) {
    let f = this.lines.get(name);
    if (!f) {
      f = { help, type, samples: [] };
      this.lines.set(name, f);
    }
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${label(v)}"`)
      .join(',');
    f.samples.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}`);
  }
  text(): string {
    let out = '';
    for (const [name, f] of this.lines)
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${f.samples.join('\n')}\n`;
    return out;
  }
}

export function prometheusText(workers: WorkerStatus[], ingest: IngestCounts[] = []): string {
  const m = new Families();
  for (const w of workers) {
    m.add(
      'lifeguard_live_workers',
      'gauge',
      'Workers announcing themselves for the tenant',
      { tenant: w.tenant },
      w.liveWorkers,
    );
    m.add('lifeguard_partitions', 'gauge', 'Partitions the tenant is split into', { tenant: w.tenant }, w.partitions);
    for (const o of w.owned) {
      const labels = { tenant: w.tenant, partition: o.partition, holder: w.holder };
      m.add(
        'lifeguard_partition_owned',
        'gauge',
        '1 while this worker owns the partition (or the account stage)',
        labels,
        o.state === 'running' ? 1 : 0,
      );
      m.add('lifeguard_partition_epoch', 'gauge', 'Lease epoch this worker owns the partition under', labels, o.epoch);
      m.add('lifeguard_partition_applied_seq', 'gauge', 'Last stream sequence applied', labels, o.appliedSeq);
      m.add(
        'lifeguard_partition_applied_messages_total',
        'counter',
        'Stream messages applied since taking ownership',
        labels,
        o.applied,
      );
      m.add(
        'lifeguard_partition_pending_messages',
        'gauge',
        'Messages in the stream not yet applied',
        labels,
        o.pending,
      );
      m.add(
        'lifeguard_partition_lag_seconds',
        'gauge',
        'Age of the last applied message when applied (end-to-end lag)',
        labels,
        o.lagMs / 1000,
      );
    }
  }
  for (const i of ingest) {
    m.add(
      'lifeguard_ingest_routed_events_total',
      'counter',
      'Events routed to partitions',
      { tenant: i.tenant },
      i.routedEvents,
    );
    m.add(
      'lifeguard_ingest_rejected_messages_total',
      'counter',
      'Messages sent to the rejected subject',
      { tenant: i.tenant },
      i.rejectedMessages,
    );
  }
  return m.text();
}
