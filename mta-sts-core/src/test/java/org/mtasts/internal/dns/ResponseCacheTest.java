package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The response cache on its own: its bounds. */
class ResponseCacheTest {

  /** A TXT response of about {@code kib} KiB, as a hostile zone can serve over TCP. */
  private static Message bigTxtResponse(String owner, int kib) throws Exception {
    Name name = Name.fromString(owner, Name.root);
    Message response = Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN));
    response.getHeader().setFlag(Flags.QR);
    String chunk = "x".repeat(250);
    for (int i = 0; i < kib * 4; i++) {
      List<String> strings = new ArrayList<>();
      strings.add(i + chunk.substring(String.valueOf(i).length()));
      response.addRecord(new TXTRecord(name, DClass.IN, 3600, strings), Section.ANSWER);
    }
    return response;
  }

  @Test
  @DisplayName("SEC-15: the cache is bounded in bytes, not only in responses")
  void largeResponsesAreBoundedByBytes() throws Exception {
    ResponseCache cache = new ResponseCache(10_000, java.time.Clock.systemUTC());
    int responses = 1_000;
    for (int i = 0; i < responses; i++) {
      cache.put(bigTxtResponse("n" + i + ".attacker.example", 60), new Ttls.Lifetime(3600, false));
    }
    // 1 000 responses of 60 KiB are 60 MiB of wire data; the cache must not keep them all.
    assertTrue(
        cache.size() * 60L * 1024 <= 16L * 1024 * 1024 && cache.bytes() <= ResponseCache.MAX_BYTES,
        "cache kept " + cache.size() + " responses of 60 KiB");
    // The most recent one is still there: the budget evicts the least recently used.
    assertNotNull(
        cache.get(Message.newQuery(Record.newRecord(
            Name.fromString("n999.attacker.example.", Name.root), Type.TXT, DClass.IN))));
  }
}
