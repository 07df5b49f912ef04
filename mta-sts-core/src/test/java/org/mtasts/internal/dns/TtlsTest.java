package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** Lifetimes of responses as they arrive on the wire. */
class TtlsTest {

  /** A TXT response whose answer record has {@code ttl} written into its wire form. */
  private static Message fromWire(long ttl) throws Exception {
    Name name = Name.fromString("example.com.");
    Message response = Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN));
    response.getHeader().setFlag(Flags.QR);
    response.addRecord(new TXTRecord(name, DClass.IN, 300, "a"), Section.ANSWER);
    byte[] wire = response.toWire();
    // The answer's TTL follows its owner (a pointer to the question name, 2 bytes), type and
    // class: 4 bytes before RDLENGTH (2) and RDATA (2: length byte and 'a') at the end.
    int at = wire.length - 2 - 2 - 4;
    wire[at] = (byte) (ttl >>> 24);
    wire[at + 1] = (byte) (ttl >>> 16);
    wire[at + 2] = (byte) (ttl >>> 8);
    wire[at + 3] = (byte) ttl;
    return new Message(wire);
  }

  @Test
  @DisplayName("the TTL read from the wire is used as is")
  void wireTtlIsUsed() throws Exception {
    assertEquals(new Ttls.Lifetime(300, false), Ttls.of(fromWire(300)));
  }

  @Test
  @DisplayName("RFC 2181 §8: a TTL with the most significant bit set counts as zero")
  void ttlWithTopBitSetIsZero() throws Exception {
    Message response = fromWire(0x8000_0000L);
    assertEquals(0x8000_0000L, response.getSection(Section.ANSWER).get(0).getTTL(), "as sent");
    assertEquals(new Ttls.Lifetime(0, false), Ttls.of(response));
    assertEquals(new Ttls.Lifetime(0, false), Ttls.of(fromWire(0xFFFF_FFFFL)));
  }
}
