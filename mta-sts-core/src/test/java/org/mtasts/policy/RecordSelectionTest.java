package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The RRset rule shared by {@link PolicyRecord#select(List)} and {@code TlsRptRecord.select},
 * with a version tag and parser of the test's own.
 */
class RecordSelectionTest {
  private static final String TAG = "v=TEST1";

  private static final RecordSelection.Parser<String> PARSER =
      text -> {
        if (text.contains("bad")) {
          throw new RecordSyntaxException("_test", text, null, "contains 'bad'");
        }
        return text.toUpperCase(Locale.ROOT);
      };

  @Test
  void isCandidate_tagFollowedByEndSpaceTabOrSemicolon() {
    assertTrue(RecordSelection.isCandidate("v=TEST1", TAG));
    assertTrue(RecordSelection.isCandidate("v=TEST1;a=b", TAG));
    assertTrue(RecordSelection.isCandidate("v=TEST1 ;a=b", TAG));
    assertTrue(RecordSelection.isCandidate("v=TEST1\t;a=b", TAG));
    assertFalse(RecordSelection.isCandidate("v=TEST10", TAG));
    assertFalse(RecordSelection.isCandidate("v=test1", TAG));
    assertFalse(RecordSelection.isCandidate(" v=TEST1", TAG));
    assertFalse(RecordSelection.isCandidate("", TAG));
  }

  @Test
  void select_dropsNonCandidatesThenNeedsExactlyOneValid() {
    assertEquals(
        new RecordSelection.Found<>("V=TEST1;A=B"),
        RecordSelection.select(List.of("v=spf1 -all", "v=TEST1;a=b", "v=TEST10"), TAG, PARSER));
    assertEquals(
        new RecordSelection.NoRecord<String>(),
        RecordSelection.select(List.of("v=spf1 -all", "v=TEST10"), TAG, PARSER));
    assertEquals(
        List.of("v=TEST1;a=1", "v=TEST1;a=2"),
        assertInstanceOf(
                RecordSelection.MultipleRecords.class,
                RecordSelection.select(List.of("v=TEST1;a=1", "x", "v=TEST1;a=2"), TAG, PARSER))
            .candidates());
    RecordSelection.Invalid<?> invalid =
        assertInstanceOf(
            RecordSelection.Invalid.class,
            RecordSelection.select(List.of("v=TEST1;bad", "x"), TAG, PARSER));
    assertEquals("v=TEST1;bad", invalid.text());
    assertEquals("contains 'bad'", invalid.error().reason());
  }

  @Test
  void select_parsesOnlyTheOneCandidate() {
    String only = "v=TEST1;a=b";
    Object[] seen = new Object[1];
    RecordSelection.select(
        List.of("v=spf1", only),
        TAG,
        text -> {
          seen[0] = text;
          return text;
        });
    assertSame(only, seen[0]);
  }

  @Test
  void nullParameters() {
    List<Executable> calls =
        List.of(
            () -> RecordSelection.isCandidate(null, TAG),
            () -> RecordSelection.isCandidate("v=TEST1", null),
            () -> RecordSelection.select(null, TAG, PARSER),
            () -> RecordSelection.select(Arrays.asList("v=TEST1", null), TAG, PARSER),
            () -> RecordSelection.select(List.of("v=TEST1"), null, PARSER),
            () -> RecordSelection.select(List.of("v=TEST1"), TAG, null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
  }
}
