package io.consentgate.client;

import java.nio.charset.StandardCharsets;

/**
 * How a contact id is stored. Ids of the form {@code c-<UUID>} (lower-case canonical, the gate's
 * generated ids and most CRMs') are kept as two longs, 16 bytes, with no object per contact; any
 * other id is kept as its UTF-8 bytes. Parsing allocates nothing for the UUID form, so a check of
 * such an id allocates only its answer.
 */
final class ContactKey {

  /** Length of {@code c-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
  static final int UUID_FORM_LENGTH = 38;

  private static final byte[] HEX = new byte[128];

  static {
    java.util.Arrays.fill(HEX, (byte) -1);
    for (int i = 0; i < 10; i++) {
      HEX['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      HEX['a' + i] = (byte) (10 + i);
    }
  }

  private ContactKey() {}

  /** True when {@code id} is {@code c-} and a lower-case canonical UUID, which {@link #hi} and {@link #lo} then read. */
  static boolean isUuidForm(String id) {
    if (id.length() != UUID_FORM_LENGTH || id.charAt(0) != 'c' || id.charAt(1) != '-' || id.charAt(10) != '-'
        || id.charAt(15) != '-' || id.charAt(20) != '-' || id.charAt(25) != '-') {
      return false;
    }
    int bad = 0;
    for (int i = 2; i < UUID_FORM_LENGTH; i++) {
      if (i == 10 || i == 15 || i == 20 || i == 25) {
        continue;
      }
      char c = id.charAt(i);
      bad |= c < 128 ? HEX[c] : -1;
    }
    return bad >= 0;
  }

  /** The UUID's most significant 64 bits; only for an id {@link #isUuidForm} accepted. */
  static long hi(String id) {
    long v = 0;
    for (int i = 2; i < 20; i++) {
      if (i != 10 && i != 15) {
        v = (v << 4) | HEX[id.charAt(i)];
      }
    }
    return v;
  }

  /** The UUID's least significant 64 bits; only for an id {@link #isUuidForm} accepted. */
  static long lo(String id) {
    long v = 0;
    for (int i = 21; i < UUID_FORM_LENGTH; i++) {
      if (i != 25) {
        v = (v << 4) | HEX[id.charAt(i)];
      }
    }
    return v;
  }

  /** The id back from its two longs, exactly as it was given. */
  static String uuidForm(long hi, long lo) {
    char[] out = new char[UUID_FORM_LENGTH];
    out[0] = 'c';
    out[1] = '-';
    int p = 2;
    for (int shift = 60; shift >= 0; shift -= 4) {
      if (p == 10 || p == 15) {
        out[p++] = '-';
      }
      out[p++] = Character.forDigit((int) (hi >>> shift) & 0xf, 16);
    }
    out[p++] = '-';
    for (int shift = 60; shift >= 0; shift -= 4) {
      if (p == 25) {
        out[p++] = '-';
      }
      out[p++] = Character.forDigit((int) (lo >>> shift) & 0xf, 16);
    }
    return new String(out);
  }

  static byte[] bytes(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  /** A well-mixed 64-bit hash of a UUID-form key (murmur3's finalizer over both halves). */
  static long hash(long hi, long lo) {
    return mix(hi * 0x9E3779B97F4A7C15L ^ lo);
  }

  /** A well-mixed 64-bit hash of any other key's bytes. */
  static long hash(byte[] bytes) {
    long h = 0x243F6A8885A308D3L ^ bytes.length;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x100000001B3L;
    }
    return mix(h);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
