package org.mtasts.internal.report;

import org.mtasts.contract.ReportStoreContract;
import org.mtasts.report.ReportStore;

/** {@link ReportStore#memory()} keeps the store contract. */
class MemoryReportStoreTest extends ReportStoreContract {

  @Override
  protected ReportStore newStore(int maxPolicies, int maxDetails) {
    return new MemoryReportStore(maxPolicies, maxDetails);
  }
}
