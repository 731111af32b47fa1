package io.consentgate.client;

import java.util.List;

/**
 * A campaign list split in one pass, all of it answered as of one instant.
 *
 * @param allowed the ids that may be emailed, in the order given
 * @param denied every other id's answer, in the order given
 */
public record AudienceSplit(List<String> allowed, List<Permission> denied) {}
