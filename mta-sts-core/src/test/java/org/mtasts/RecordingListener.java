package org.mtasts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mtasts.policy.RecordSelection;

/** Captures events as short strings, e.g. {@code fetched example.com A1}. Thread-safe. */
final class RecordingListener extends MtaStsListener {
  private final List<String> events = new ArrayList<>();
  final List<DeliveryDecision> decisions = new ArrayList<>();

  private synchronized void add(String event) {
    events.add(event);
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  synchronized List<String> events(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix + " ")).toList();
  }

  synchronized void clear() {
    events.clear();
    decisions.clear();
  }

  @Override
  public void policyFetched(CachedPolicy policy) {
    add("fetched " + policy.domain() + " " + policy.recordId());
  }

  @Override
  public void policyRefreshed(CachedPolicy policy) {
    add("refreshed " + policy.domain() + " " + policy.recordId());
  }

  @Override
  public void policyChanged(CachedPolicy previous, CachedPolicy current) {
    add("changed " + current.domain() + " " + previous.recordId() + "->" + current.recordId());
  }

  @Override
  public void modeLowered(CachedPolicy previous, CachedPolicy current) {
    add("lowered " + current.domain() + " " + previous.mode().token() + "->"
        + current.mode().token());
  }

  @Override
  public void recordVanished(String domain, RecordSelection.Status status, CachedPolicy applied) {
    add("vanished " + domain + " " + status + " " + applied.recordId());
  }

  @Override
  public void fetchFailed(String domain, LookupFailure failure,
      Optional<CachedPolicy> stillApplied) {
    add("fetchFailed " + domain + " " + failure.fetchFailure().map(Enum::name).orElse("-") + " "
        + stillApplied.map(CachedPolicy::recordId).orElse("none"));
  }

  @Override
  public void staleServed(PolicyLookup lookup) {
    add("stale " + lookup.domain() + " " + lookup.recordId().orElseThrow());
  }

  @Override
  public void policyExpired(CachedPolicy policy) {
    add("expired " + policy.domain() + " " + policy.recordId());
  }

  @Override
  public synchronized void deliveryRefused(DeliveryDecision decision) {
    decisions.add(decision);
    add("refused " + decision.mxHost() + " " + decision.reason().orElseThrow().code());
  }

  @Override
  public synchronized void testingViolation(DeliveryDecision decision) {
    decisions.add(decision);
    add("reportOnly " + decision.mxHost() + " " + decision.reason().orElseThrow().code());
  }

  @Override
  public void invalidated(CachedPolicy policy) {
    add("invalidated " + policy.domain() + " " + policy.recordId());
  }

  @Override
  public void protectionLost(String domain, ProtectionLoss cause, String message) {
    add("protectionLost " + domain + " " + cause);
  }

  @Override
  public void storeFailed(String operation, Optional<String> domain, Exception error) {
    add("storeFailed " + operation + " " + domain.orElse("-"));
  }

  @Override
  public void reportHandled(TlsReporter.Outcome outcome) {
    add("report " + outcome.day().policyDomain() + " " + outcome.day().day() + " "
        + outcome.status());
  }
}
