package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.TestWorld;
import org.mtasts.testkit.TestWorldExtension;

/**
 * Issue 15, one fetch for a fleet: before fetching a new policy id the facade asks the store for
 * a lease ({@link PolicyStore#tryLease}); without it, it waits briefly for the node holding the
 * lease to save the policy and uses that, and fetches itself when nothing comes or the store
 * fails. Over the testkit's loopback DNS and HTTPS, counting the HTTPS requests.
 */
class FetchLeaseTest {
  static final String ID = "L1";

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("example.com", d -> d.policy("enforce", "mx1.example.com").id(ID)
          .mx(10, "mx1.example.com"))).resetBeforeEach();

  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  /** A store whose lease another node holds; {@code onLease} plays that node. */
  static final class LeasedElsewhere extends FakeStoreDelegate {
    final List<String> leases = new CopyOnWriteArrayList<>();
    final Consumer<PolicyStore> onLease;

    LeasedElsewhere(Consumer<PolicyStore> onLease) {
      this.onLease = onLease;
    }

    @Override
    public boolean tryLease(String domain, Duration lease) {
      leases.add(domain + " " + lease);
      onLease.accept(this);
      return false;
    }
  }

  /** Delegates to a {@link FakePolicyStore}. */
  static class FakeStoreDelegate implements PolicyStore {
    final FakePolicyStore store = new FakePolicyStore();

    @Override
    public Optional<StoredPolicy> load(String domain) throws IOException {
      return store.load(domain);
    }

    @Override
    public void forEach(Consumer<? super StoredPolicy> action) {
      store.forEach(action);
    }

    @Override
    public void save(StoredPolicy policy) throws IOException {
      store.save(policy);
    }

    @Override
    public void delete(String domain) throws IOException {
      store.delete(domain);
    }

    @Override
    public void deleteAll() throws IOException {
      store.deleteAll();
    }
  }

  MtaSts client(PolicyStore store, MtaStsListener listener) {
    MtaSts sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .fetchDeadline(Duration.ofSeconds(10))
        .policyStore(store)
        .listener(listener)
        .build();
    clients.add(sts);
    return sts;
  }

  static StoredPolicy fetchedElsewhere(String id) {
    return new StoredPolicy("example.com", id,
        TestWorld.policyText("enforce", 86_400, "mx1.example.com"), Instant.now());
  }

  @Test
  void withoutTheLease_thePolicyTheLeaseHolderSaves_isUsedWithoutHttps() {
    LeasedElsewhere store = new LeasedElsewhere(s -> {
      try {
        s.save(fetchedElsewhere(ID)); // the other node's fetch ends while this one waits
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    PolicyLookup lookup = client(store, MtaStsListener.NONE).resolve("example.com");
    assertTrue(lookup.isEnforced(), lookup.toString());
    assertEquals(Source.CACHE, lookup.source().orElseThrow());
    assertEquals(0, world.policyRequests("example.com"), "no HTTPS request of its own");
    assertEquals(List.of("example.com PT10S"), store.leases);
  }

  @Test
  void withoutTheLease_nothingComes_fetchesItselfAfterTheWait() {
    LeasedElsewhere store = new LeasedElsewhere(s -> {});
    PolicyLookup lookup = client(store, MtaStsListener.NONE).resolve("example.com");
    assertEquals(Source.FETCHED, lookup.source().orElseThrow());
    assertTrue(lookup.isEnforced());
    assertEquals(1, world.policyRequests("example.com"));
  }

  @Test
  void withoutTheLease_onlyAnOlderIdComes_fetchesItself() {
    LeasedElsewhere store = new LeasedElsewhere(s -> {
      try {
        s.save(fetchedElsewhere("OLD"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    PolicyLookup lookup = client(store, MtaStsListener.NONE).resolve("example.com");
    assertEquals(Source.FETCHED, lookup.source().orElseThrow());
    assertEquals(ID, lookup.cachedPolicy().orElseThrow().recordId());
    assertEquals(1, world.policyRequests("example.com"));
  }

  @Test
  void aLeaseThatFails_isAYes_storeFailedReported() {
    List<String> failures = new CopyOnWriteArrayList<>();
    FakeStoreDelegate store = new FakeStoreDelegate() {
      @Override
      public boolean tryLease(String domain, Duration lease) throws IOException {
        throw new IOException("store down");
      }
    };
    PolicyLookup lookup = client(store, new MtaStsListener() {
      @Override
      public void storeFailed(String operation, Optional<String> domain, Exception error) {
        failures.add(operation + " " + domain.orElse("-"));
      }
    }).resolve("example.com");
    assertEquals(Source.FETCHED, lookup.source().orElseThrow());
    assertEquals(1, world.policyRequests("example.com"));
    assertTrue(failures.contains("lease example.com"), failures.toString());
  }

  @Test
  void storesWithoutLeases_fetchAtOnce() throws IOException {
    assertTrue(PolicyStore.none().tryLease("example.com", Duration.ofSeconds(1)));
    PolicyLookup lookup = client(new FakePolicyStore(), MtaStsListener.NONE)
        .resolve("example.com");
    assertEquals(Source.FETCHED, lookup.source().orElseThrow());
    assertEquals(1, world.policyRequests("example.com"));
  }
}
