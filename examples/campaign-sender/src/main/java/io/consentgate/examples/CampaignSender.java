package io.consentgate.examples;

import io.consentgate.client.AudienceSplit;
import io.consentgate.client.ConsentClient;
import io.consentgate.client.Permission;
import io.consentgate.client.Reason;
import io.consentgate.client.VerdictListener;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An example mail sender gated by the consent client (see examples/README.md):
 *
 * <ol>
 *   <li>{@link #queue}: the campaign list is split in one pass; only the contacts that may be
 *       emailed are queued, the others are reported with the reason;
 *   <li>while mail waits in the queue, a listener on the verdict topic cancels a contact's message
 *       as soon as a verdict arrives that no longer allows it (a withdrawal, say);
 *   <li>{@link #send}: each message is sent over SMTP only if the client still says yes right
 *       before it goes out.
 * </ol>
 *
 * <p>The sender never decides on its own: no verdict, a stale view, a lapsed consent, a gate
 * behind on its input all mean no mail.
 */
public final class CampaignSender implements AutoCloseable {

  /** A contact of the campaign list and the address the CRM holds for it. */
  public record Recipient(String contactId, String email) {}

  /** What a send did. */
  public record Sent(List<String> sent, Map<String, Reason> refusedAtSend) {}

  private final ConsentClient consent;
  private final Session smtp;
  private final InternetAddress from;
  private final Clock clock;
  private final Map<String, Recipient> queue = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> cancelled = Collections.synchronizedList(new ArrayList<>());
  private final VerdictListener cancelOnWithdrawal;

  /**
   * @param smtpHost where the mail goes; {@code mail.smtp.*} settings as {@code smtpSettings}
   */
  public CampaignSender(ConsentClient consent, Clock clock, String smtpHost, int smtpPort, String from) throws MessagingException {
    this.consent = consent;
    this.clock = clock;
    Properties props = new Properties();
    props.put("mail.smtp.host", smtpHost);
    props.put("mail.smtp.port", String.valueOf(smtpPort));
    this.smtp = Session.getInstance(props);
    this.from = new InternetAddress(from);
    this.cancelOnWithdrawal = (contactId, verdict) -> {
      // A verdict that no longer allows marketing (or a removed contact): the queued message goes.
      if ((verdict == null || !verdict.allowsMarketingAt(clock.instant())) && queue.remove(contactId) != null) {
        cancelled.add(contactId);
      }
    };
    consent.addListener(cancelOnWithdrawal);
  }

  /** Queues the recipients that may be emailed now; returns every other one with the reason. */
  public Map<String, Reason> queue(List<Recipient> campaign) {
    Map<String, Recipient> byId = new LinkedHashMap<>();
    campaign.forEach(r -> byId.put(r.contactId(), r));
    AudienceSplit split = consent.filter(byId.keySet());
    split.allowed().forEach(id -> queue.put(id, byId.get(id)));
    Map<String, Reason> left = new LinkedHashMap<>();
    split.denied().forEach(p -> left.put(p.contactId(), p.reason()));
    return left;
  }

  public List<String> queued() {
    synchronized (queue) {
      return List.copyOf(queue.keySet());
    }
  }

  /** Contacts whose queued message a verdict cancelled. */
  public List<String> cancelled() {
    synchronized (cancelled) {
      return List.copyOf(cancelled);
    }
  }

  /** Sends every queued message over SMTP, asking the client once more right before each. */
  public Sent send(String subject, String body) throws MessagingException {
    List<String> sent = new ArrayList<>();
    Map<String, Reason> refused = new LinkedHashMap<>();
    for (String contactId : queued()) {
      Recipient r = queue.remove(contactId);
      if (r == null) {
        continue; // cancelled meanwhile
      }
      Permission p = consent.check(contactId, clock.instant());
      if (!p.mayEmail()) {
        refused.put(contactId, p.reason());
        continue;
      }
      MimeMessage m = new MimeMessage(smtp);
      m.setFrom(from);
      m.setRecipient(Message.RecipientType.TO, new InternetAddress(r.email()));
      m.setSubject(subject);
      m.setText(body);
      Transport.send(m);
      sent.add(contactId);
    }
    return new Sent(sent, refused);
  }

  @Override
  public void close() {
    consent.removeListener(cancelOnWithdrawal);
  }
}
