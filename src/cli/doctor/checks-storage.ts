/**
 * Storage checks: for each resource the server stores, the versions its objects are stored in
 * (the server's stored-versions report, read through the aggregator). A version still stored but
 * no longer served is a warning (migrate before removing it); one no longer declared at all is a
 * failure (those objects answer 500 until it is declared again).
 */
import { describeCounts, storedVersionsOf } from '../migrate/migrate-storage.ts';
import { result, type Check, type CheckResult } from './types.ts';

const storedVersions: Check = {
  step: 15, title: 'stored versions',
  async run(f) {
    const out: CheckResult[] = [];
    for (const r of f.target.resources.filter((x) => !x.backend && !x.computed)) {
      const id = `stored-versions/${r.plural}.${r.group}`;
      const title = `${r.plural}.${r.group} stored versions`;
      let report;
      try {
        report = await storedVersionsOf(f.cluster.client, r);
      } catch (err) {
        out.push(result(id, 15, title, 'skip', `the stored versions could not be read: ${(err as Error).message}`));
        continue;
      }
      const present = Object.entries(report.objects).filter(([, n]) => n > 0).map(([v]) => v);
      const undeclared = present.filter((v) => !report.declaredVersions.includes(v));
      const unserved = present.filter((v) => report.declaredVersions.includes(v) && !report.servedVersions.includes(v));
      const migrate = `extapi migrate-storage -n ${f.target.namespace} --resource ${r.plural}`;
      if (undeclared.length > 0) {
        out.push(result(id, 15, title, 'fail', `objects are stored in ${undeclared.join(', ')}, which the server no longer declares (${describeCounts(report.objects)}): reading them answers 500`,
          `declare ${undeclared.join(', ')} again (served: false keeps it out of the API), deploy, then run ${migrate}`));
      } else if (unserved.length > 0) {
        out.push(result(id, 15, title, 'warn', `objects are still stored in ${unserved.join(', ')}, no longer served (${describeCounts(report.objects)})`,
          `run ${migrate} before removing ${unserved.join(', ')} from the server`));
      } else {
        out.push(result(id, 15, title, 'pass', `stored in ${describeCounts(report.objects)}; storage version ${report.storageVersion}`));
      }
    }
    return out;
  },
};

/** The storage checks (after the resources are listed through the aggregator). */
export const storageChecks = { storedVersions };
