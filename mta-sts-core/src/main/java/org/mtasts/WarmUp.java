package org.mtasts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.mtasts.policy.DomainNames;

/**
 * {@link PolicyCache#warmUpAsync}: resolves a list of domains with at most {@code parallelism} lookups
 * in flight, as lanes that each take the next domain when their lookup completes (no thread per
 * lookup, no queue of futures).
 */
final class WarmUp {
  private WarmUp() {}

  static CompletionStage<Map<String, PolicyLookup>> run(
      Function<String, CompletionStage<PolicyLookup>> resolve, Collection<String> domains,
      int parallelism) {
    if (parallelism < 1 || parallelism > 256) {
      throw new IllegalArgumentException("parallelism must be between 1 and 256: " + parallelism);
    }
    List<String> names = new ArrayList<>(new LinkedHashSet<>(
        domains.stream().map(DomainNames::normalize).toList()));
    Map<String, PolicyLookup> results = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(parallelism, names.size()); i++) {
      lanes.add(lane(resolve, names, next, results));
    }
    return CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0]))
        .thenApply(done -> {
          Map<String, PolicyLookup> ordered = new LinkedHashMap<>();
          for (String d : names) {
            ordered.put(d, results.get(d));
          }
          return Collections.unmodifiableMap(ordered);
        });
  }

  /** One of the parallel lanes of a warm-up: takes the next domain until none is left. */
  private static CompletableFuture<Void> lane(
      Function<String, CompletionStage<PolicyLookup>> resolve, List<String> names,
      AtomicInteger next, Map<String, PolicyLookup> results) {
    while (true) {
      int i = next.getAndIncrement();
      if (i >= names.size()) {
        return CompletableFuture.completedFuture(null);
      }
      String d = names.get(i);
      CompletableFuture<PolicyLookup> lookup = resolve.apply(d).toCompletableFuture();
      if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
        // A cache hit: loop rather than chain, or a long run of them would nest as deep
        results.put(d, lookup.join());
        continue;
      }
      return lookup.thenCompose(l -> {
        results.put(d, l);
        return lane(resolve, names, next, results);
      });
    }
  }
}
