package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.List;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;
import org.junit.jupiter.api.Test;

/** Composition and isolation of listeners. */
class MtaStsListenerTest {
  static final CachedPolicy P =
      new CachedPolicy("example.com", "A1",
          Policy.builder().mode(Mode.NONE).maxAge(java.time.Duration.ofDays(1)).build(),
          Instant.EPOCH, Instant.EPOCH.plusSeconds(86400));

  @Test
  void none_plus_listener_isThatListener() {
    RecordingListener a = new RecordingListener();
    assertSame(a, MtaStsListener.NONE.plus(a));
    assertSame(a, a.plus(MtaStsListener.NONE));
  }

  @Test
  void plus_callsEachInOrder_evenIfOneThrows() {
    RecordingListener a = new RecordingListener();
    RecordingListener c = new RecordingListener();
    MtaStsListener thrower = new MtaStsListener() {
      @Override
      public void policyFetched(CachedPolicy policy) {
        throw new IllegalStateException("boom");
      }
    };
    MtaStsListener all = a.plus(thrower).plus(c);
    all.policyFetched(P);
    all.invalidated(P);
    assertEquals(List.of("fetched example.com A1", "invalidated example.com A1"), a.events());
    assertEquals(a.events(), c.events());
  }

  @Test
  void plus_forwardsEveryEvent() throws Exception {
    MtaStsListener all = new RecordingListener().plus(new RecordingListener());
    for (Method m : MtaStsListener.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
          && m.getReturnType() == void.class) {
        Method forwarded = all.getClass().getDeclaredMethod(m.getName(), m.getParameterTypes());
        assertEquals(all.getClass(), forwarded.getDeclaringClass(), m.getName());
      }
    }
  }
}
