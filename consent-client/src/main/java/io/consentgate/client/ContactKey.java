package io.consentgate.client;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * How a contact id is stored. Ids of the form {@code c-<UUID>} (lower-case canonical, the gate's
 * generated ids and most CRMs') are kept as two longs, 16 bytes, with no object per contact; any
 * other id is kept as its UTF-8 bytes. Parsing the UUID form costs a 38-byte copy of the id and a
 * few dozen branch-free instructions; a check of such an id allocates nothing else but its answer.
 */
final class ContactKey {

  /** Length of {@code c-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
  static final int UUID_FORM_LENGTH = 38;

  private ContactKey() {}

  /**
   * The id's Latin-1 bytes when it may be of the UUID form (38 characters), else null. A character
   * outside Latin-1 becomes '?', which is no hex digit, so such an id is never taken for the UUID form.
   */
  static byte[] uuidCandidate(String id) {
    return id.length() == UUID_FORM_LENGTH ? id.getBytes(StandardCharsets.ISO_8859_1) : null;
  }

  /** True when {@code b} (from {@link #uuidCandidate}) has the dashes of {@code c-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
  static boolean hasUuidShape(byte[] b) {
    return b != null && b[0] == 'c' && b[1] == '-' && b[10] == '-' && b[15] == '-' && b[20] == '-' && b[25] == '-';
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * Eight lower-case hex digits, as eight ASCII bytes read little-endian (first digit in the lowest
   * byte), to their 32-bit value; -1 if any byte is not such a digit. Branch-free SWAR: a check
   * costs a handful of instructions, not a loop over 32 characters.
   */
  static long hex8(long v) {
    // For bytes below 0x80, adding 0x80-c sets a byte's high bit exactly when it is >= c, with no carry.
    long digit = (v + 0x5050505050505050L) & ~(v + 0x4646464646464646L); // '0'..'9'
    long letter = (v + 0x1F1F1F1F1F1F1F1FL) & ~(v + 0x1919191919191919L); // 'a'..'f'
    if ((v & HIGH_BITS) != 0 || ((digit | letter) & HIGH_BITS) != HIGH_BITS) {
      return -1;
    }
    long d = (v & 0x0F0F0F0F0F0F0F0FL) + ((v >>> 6) & 0x0101010101010101L) * 9; // each byte its digit's value
    long t = ((d << 4) | (d >>> 8)) & 0x00FF00FF00FF00FFL;
    long u = ((t << 8) | (t >>> 16)) & 0x0000FFFF0000FFFFL;
    return ((u << 16) | (u >>> 32)) & 0xFFFFFFFFL;
  }

  /** Hex digits 1-8 of the UUID (bytes 2..9); see {@link #hex8}. */
  static long word1(byte[] b) {
    return hex8((long) LONGS.get(b, 2));
  }

  /** Hex digits 9-16 (bytes 11..14 and 16..19). */
  static long word2(byte[] b) {
    return hex8(((int) INTS.get(b, 11) & 0xFFFFFFFFL) | ((long) (int) INTS.get(b, 16) << 32));
  }

  /** Hex digits 17-24 (bytes 21..24 and 26..29). */
  static long word3(byte[] b) {
    return hex8(((int) INTS.get(b, 21) & 0xFFFFFFFFL) | ((long) (int) INTS.get(b, 26) << 32));
  }

  /** Hex digits 25-32 (bytes 30..37). */
  static long word4(byte[] b) {
    return hex8((long) LONGS.get(b, 30));
  }

  /** True when {@code id} is {@code c-} and a lower-case canonical UUID. */
  static boolean isUuidForm(String id) {
    byte[] b = uuidCandidate(id);
    return hasUuidShape(b) && (word1(b) | word2(b) | word3(b) | word4(b)) >= 0;
  }

  /** The UUID's most significant 64 bits; only for an id {@link #isUuidForm} accepted. */
  static long hi(String id) {
    byte[] b = uuidCandidate(id);
    return (word1(b) << 32) | word2(b);
  }

  /** The UUID's least significant 64 bits; only for an id {@link #isUuidForm} accepted. */
  static long lo(String id) {
    byte[] b = uuidCandidate(id);
    return (word3(b) << 32) | word4(b);
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
