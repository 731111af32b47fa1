package io.consentgate.client;

/**
 * Told of every verdict the view applies (not of those ordered below the one it holds), on the
 * client's poller thread, in topic order per contact. A sender uses it to cancel mail queued for a
 * contact whose new verdict no longer allows it ({@link VerdictSummary#allowsMarketingAt}). Keep it
 * quick: the view does not move on while it runs. An exception it throws is logged and counted.
 */
@FunctionalInterface
public interface VerdictListener {

  /**
   * @param contactId the contact
   * @param verdict the verdict now held, or null when a tombstone (or an unreadable record) removed
   *     the contact, which then may not be emailed
   */
  void onVerdict(String contactId, VerdictSummary verdict);
}
