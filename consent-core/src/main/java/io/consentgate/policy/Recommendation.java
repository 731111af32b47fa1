package io.consentgate.policy;

/** Advice for the marketer that comes with a verdict; it never changes the decision. */
public enum Recommendation {
  /** With implicit consent: ask for explicit consent (checkbox or written). */
  ASK_FOR_EXPLICIT_CONSENT,
  /** Employer lists: write one-to-one and use double opt-in. */
  WRITE_ONE_TO_ONE_AND_USE_DOUBLE_OPT_IN,
  /** After a merger: tell the contacts and let them reconfirm. */
  NOTIFY_AND_ASK_TO_RECONFIRM,
  /** People met in person or who emailed you: point them to a signup form. */
  POINT_TO_SIGNUP_FORM
}
