package org.mtasts.testkit.dns;

import java.io.IOException;
import java.time.Duration;
import org.mtasts.testkit.dns.TestDnsServer.Fault;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one received DNS message into the bytes to send back (or nothing), independent of sockets.
 * Stateless apart from the zone and the query log it is given; safe for concurrent use.
 */
final class Responder {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);

  /** Classic DNS limit for UDP answers to clients without EDNS (RFC 1035 §4.2.1). */
  static final int UDP_SIZE_WITHOUT_EDNS = 512;

  /** Our EDNS UDP payload size: the DNS Flag Day 2020 value that avoids IP fragmentation. */
  static final int EDNS_PAYLOAD_SIZE = 1232;

  /** What to send back for one message: wire bytes after a delay, or nothing. */
  record Reply(byte[] wire, Duration delay) {
    static final Reply NONE = new Reply(null, Duration.ZERO);

    boolean isNone() {
      return wire == null;
    }
  }

  private final Zone zone;
  private final QueryLog queryLog;

  Responder(Zone zone, QueryLog queryLog) {
    this.zone = zone;
    this.queryLog = queryLog;
  }

  /** Never throws for bad input: malformed messages get FORMERR or no reply. */
  Reply respond(byte[] in, Transport transport) {
    if (in.length < Header.LENGTH) {
      log.debug("Ignoring {} byte {} message: shorter than a DNS header", in.length, transport);
      return Reply.NONE;
    }
    Header header;
    try {
      header = new Header(in);
    } catch (IOException e) {
      return Reply.NONE;
    }
    if (header.getFlag(Flags.QR)) {
      // Never answer a response: that is how reflection loops between servers start.
      log.debug("Ignoring {} message with QR set (a response), id {}", transport, header.getID());
      return Reply.NONE;
    }
    Message query;
    try {
      query = new Message(in);
    } catch (IOException | RuntimeException e) {
      log.debug("Malformed {} query id {}: {}", transport, header.getID(), e.toString());
      return immediate(errorOnly(header, Rcode.FORMERR), transport, UDP_SIZE_WITHOUT_EDNS);
    }
    Record question = query.getQuestion();
    if (header.getOpcode() != Opcode.QUERY) {
      Message response = newResponse(query, question, false);
      response.getHeader().setRcode(Rcode.NOTIMP);
      return immediate(response, transport, udpLimit(query));
    }
    if (question == null || header.getCount(Section.QUESTION) != 1) {
      return immediate(errorOnly(header, Rcode.FORMERR), transport, UDP_SIZE_WITHOUT_EDNS);
    }
    queryLog.record(question.getName(), question.getType(), transport);

    Dnssec dnssec = zone.dnssec();
    OPTRecord opt = query.getOPT();
    boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0 && !dnssec.strip();
    Message response = newResponse(query, question, dnssecOk);
    Header h = response.getHeader();
    int qtype = question.getType();
    if (question.getDClass() != DClass.IN || qtype == Type.AXFR || qtype == Type.IXFR) {
      h.setRcode(Rcode.REFUSED);
      log.debug(
          "{} {} {} {}: REFUSED",
          transport,
          question.getName(),
          Type.string(qtype),
          DClass.string(question.getDClass()));
      return immediate(response, transport, udpLimit(query));
    }

    Zone.Resolution resolution =
        zone.resolve(question.getName(), qtype, transport == Transport.TCP, dnssecOk);
    Fault fault = resolution.fault();
    boolean validating = dnssec.adBit();
    if (fault == null
        && validating
        && resolution.bogus()
        && !query.getHeader().getFlag(Flags.CD)) {
      // What a validating resolver does with an answer that fails validation (RFC 4035 §5.5).
      h.setRcode(Rcode.SERVFAIL);
      log.debug("{} {} {}: SERVFAIL (bogus)", transport, question.getName(), Type.string(qtype));
      return new Reply(toWire(response, transport, udpLimit(query)), resolution.delay());
    }
    if (fault == Fault.DROP) {
      log.debug("{} {} {}: dropped (fault)", transport, question.getName(), Type.string(qtype));
      return Reply.NONE;
    }
    if (fault == Fault.SERVFAIL || fault == Fault.REFUSED) {
      h.setRcode(fault == Fault.SERVFAIL ? Rcode.SERVFAIL : Rcode.REFUSED);
    } else if (fault == Fault.TRUNCATE) { // only reported for UDP
      // Nothing but the question and TC: the client has to ask again over TCP (RFC 7766 §5).
      h.setFlag(Flags.AA);
      h.setFlag(Flags.TC);
    } else {
      h.setFlag(Flags.AA);
      h.setRcode(resolution.rcode());
      // RFC 6840 §5.8: AD only for a query that asked for it with AD or DO.
      if (validating
          && resolution.secure()
          && (dnssecOk || query.getHeader().getFlag(Flags.AD))) {
        h.setFlag(Flags.AD);
      }
      for (Record r : resolution.answers()) {
        response.addRecord(r, Section.ANSWER);
      }
      for (Record r : resolution.authority()) {
        response.addRecord(r, Section.AUTHORITY);
      }
    }
    log.debug(
        "{} {} {} -> {}, {} answers{}",
        transport,
        question.getName(),
        Type.string(qtype),
        Rcode.string(h.getRcode()),
        response.getSection(Section.ANSWER).size(),
        resolution.delay().isZero() ? "" : ", delayed " + resolution.delay());
    return new Reply(toWire(response, transport, udpLimit(query)), resolution.delay());
  }

  private static Reply immediate(Message response, Transport transport, int udpLimit) {
    return new Reply(toWire(response, transport, udpLimit), Duration.ZERO);
  }

  private static byte[] toWire(Message response, Transport transport, int udpLimit) {
    // Over UDP dnsjava drops whole RRsets that do not fit and sets TC (RFC 2181 §9).
    return response.toWire(transport == Transport.UDP ? udpLimit : Message.MAXLENGTH);
  }

  /** The largest UDP answer this client accepts: its EDNS size capped at ours, or 512. */
  private static int udpLimit(Message query) {
    OPTRecord opt = query.getOPT();
    if (opt == null) {
      return UDP_SIZE_WITHOUT_EDNS;
    }
    return Math.max(UDP_SIZE_WITHOUT_EDNS, Math.min(opt.getPayloadSize(), EDNS_PAYLOAD_SIZE));
  }

  private static Message newResponse(Message query, Record question, boolean dnssecOk) {
    Message response = new Message(query.getHeader().getID());
    Header h = response.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(query.getHeader().getOpcode());
    if (query.getHeader().getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (query.getHeader().getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    // We resolve CNAME chains for the client, as the recursive resolver it believes it talks to.
    h.setFlag(Flags.RA);
    if (question != null) {
      response.addRecord(question, Section.QUESTION);
    }
    if (query.getOPT() != null) {
      // The DO bit is echoed by servers that support DNSSEC (RFC 3225 §3).
      response.addRecord(
          new OPTRecord(EDNS_PAYLOAD_SIZE, 0, 0, dnssecOk ? ExtendedFlags.DO : 0),
          Section.ADDITIONAL);
    }
    return response;
  }

  /** A reply built from the header alone, for messages whose body could not be read. */
  private static Message errorOnly(Header queryHeader, int rcode) {
    Message response = new Message(queryHeader.getID());
    Header h = response.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(queryHeader.getOpcode());
    if (queryHeader.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    h.setFlag(Flags.RA);
    h.setRcode(rcode);
    return response;
  }
}
