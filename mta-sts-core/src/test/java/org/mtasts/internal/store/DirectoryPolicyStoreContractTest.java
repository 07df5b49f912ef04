package org.mtasts.internal.store;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.PolicyStore;
import org.mtasts.contract.PolicyStoreContract;

/** The file store passes the {@link PolicyStore} contract that the shared stores also pass. */
class DirectoryPolicyStoreContractTest extends PolicyStoreContract {
  @TempDir Path dir;

  @Override
  protected PolicyStore newStore() {
    return PolicyStore.directory(dir);
  }

  @Override
  protected PolicyStore reopen() {
    return PolicyStore.directory(dir);
  }

  @Override
  protected boolean damage(String domain) throws Exception {
    Files.writeString(dir.resolve(PolicyDirectory.fileName(domain)), "garbage\n");
    return true;
  }
}
