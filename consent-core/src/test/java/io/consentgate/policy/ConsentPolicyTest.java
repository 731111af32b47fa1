package io.consentgate.policy;

import static io.consentgate.policy.EvidenceKind.AD_CONVERSION;
import static io.consentgate.policy.EvidenceKind.CHECKBOX_OPT_IN;
import static io.consentgate.policy.EvidenceKind.CONTRACT;
import static io.consentgate.policy.EvidenceKind.DONATION;
import static io.consentgate.policy.EvidenceKind.DOUBLE_OPT_IN_CONFIRMED;
import static io.consentgate.policy.EvidenceKind.DOUBLE_OPT_IN_REQUESTED;
import static io.consentgate.policy.EvidenceKind.MEMBERSHIP_ENDED;
import static io.consentgate.policy.EvidenceKind.MEMBERSHIP_STARTED;
import static io.consentgate.policy.EvidenceKind.NEWSLETTER_SIGNUP;
import static io.consentgate.policy.EvidenceKind.PURCHASE;
import static io.consentgate.policy.EvidenceKind.RECONFIRMED;
import static io.consentgate.policy.EvidenceKind.SPAM_COMPLAINT;
import static io.consentgate.policy.EvidenceKind.UNSUBSCRIBE;
import static io.consentgate.policy.EvidenceKind.HARD_BOUNCE;
import static io.consentgate.policy.EvidenceKind.VOLUNTEERING;
import static io.consentgate.policy.EvidenceKind.VERBAL_CONSENT;
import static io.consentgate.policy.EvidenceKind.WEBSITE_FORM;
import static io.consentgate.policy.EvidenceKind.WRITTEN_CONSENT;
import static io.consentgate.policy.PolicyFixtures.BRAND;
import static io.consentgate.policy.PolicyFixtures.CONTACT_ID;
import static io.consentgate.policy.PolicyFixtures.EMAIL;
import static io.consentgate.policy.PolicyFixtures.OPTIN;
import static io.consentgate.policy.PolicyFixtures.OTHER_BRAND;
import static io.consentgate.policy.PolicyFixtures.STRICT;
import static io.consentgate.policy.PolicyFixtures.T0;
import static io.consentgate.policy.PolicyFixtures.at;
import static io.consentgate.policy.PolicyFixtures.contact;
import static io.consentgate.policy.PolicyFixtures.day;
import static io.consentgate.policy.PolicyFixtures.decide;
import static io.consentgate.policy.PolicyFixtures.ev;
import static io.consentgate.policy.PolicyFixtures.optin;
import static io.consentgate.policy.PolicyFixtures.otherBrand;
import static io.consentgate.policy.PolicyFixtures.state;
import static io.consentgate.policy.PolicyFixtures.strict;
import static io.consentgate.policy.PolicyFixtures.unproven;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per rule of docs/policy.md; each fails when its rule is broken. */
@DisplayName("docs/policy.md")
class ConsentPolicyTest {

  private static final Instant LATER = day(30);

  private static void assertVerdict(Verdict v, ConsentStatus status) {
    assertThat(v.status()).as("status, reasons=%s", v.reasons()).isEqualTo(status);
    assertThat(v.decision()).isEqualTo(status.decision());
    assertThat(v.reasons()).first().isEqualTo(status.name());
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Principle 1: consent is an action, and it must be verifiable")
  class Principle1 {

    @Test
    @DisplayName("a grant without a proof reference is ignored (UNVERIFIABLE_EVIDENCE)")
    void grantWithoutProofIsIgnored() {
      Verdict v = optin(LATER, unproven("e1", CHECKBOX_OPT_IN, day(1)));
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.reasons()).contains("UNVERIFIABLE_EVIDENCE:e1");
      assertThat(v.evidenceIds()).doesNotContain("e1");
    }

    @ParameterizedTest(name = "{0} without proof does not grant")
    @EnumSource(value = EvidenceKind.class, names = {"CHECKBOX_OPT_IN", "WRITTEN_CONSENT", "NEWSLETTER_SIGNUP",
        "DOUBLE_OPT_IN_CONFIRMED", "RECONFIRMED", "WEBSITE_FORM", "AD_CONVERSION", "TRADE_SHOW_BOOTH", "PURCHASE",
        "CONTRACT", "DONATION", "VOLUNTEERING", "MEMBERSHIP_STARTED"})
    @DisplayName("no grant kind counts without a proof reference")
    void noGrantKindCountsWithoutProof(EvidenceKind kind) {
      Verdict v = optin(LATER, unproven("e1", kind, day(1)));
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.reasons()).contains("UNVERIFIABLE_EVIDENCE:e1");
    }

    @ParameterizedTest(name = "proof reference \"{0}\"")
    @ValueSource(strings = {"", " ", "   ", "\t"})
    @DisplayName("a blank proof reference counts as none")
    void blankProofReferenceCountsAsNone(String blank) {
      Evidence e = new Evidence("e1", CONTACT_ID, BRAND, CHECKBOX_OPT_IN, day(1), blank);
      assertThat(e.isVerifiable()).isFalse();
      Verdict v = optin(LATER, e);
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.reasons()).contains("UNVERIFIABLE_EVIDENCE:e1");
    }

    @Test
    @DisplayName("verbal consent is never verifiable, even with a proof reference (VERBAL_CONSENT_NOT_VERIFIABLE)")
    void verbalConsentNeverCounts() {
      Verdict v = optin(LATER, ev("v1", VERBAL_CONSENT, day(1)));
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.reasons()).contains("VERBAL_CONSENT_NOT_VERIFIABLE:v1");
      assertThat(v.evidenceIds()).isEmpty();
    }

    @Test
    @DisplayName("the absence of an opt-out is never consent")
    void absenceOfOptOutIsNotConsent() {
      Verdict v = optin(LATER);
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.evidenceIds()).isEmpty();
    }

    @Test
    @DisplayName("the same grant with a proof reference does count")
    void sameGrantWithProofCounts() {
      Verdict v = optin(LATER, ev("e1", CHECKBOX_OPT_IN, day(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.reasons()).doesNotContain("UNVERIFIABLE_EVIDENCE:e1");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Principle 2: consent belongs to one brand")
  class Principle2 {

    @ParameterizedTest(name = "{0} for another brand")
    @EnumSource(value = EvidenceKind.class, names = {"CHECKBOX_OPT_IN", "WRITTEN_CONSENT", "NEWSLETTER_SIGNUP",
        "DOUBLE_OPT_IN_CONFIRMED", "RECONFIRMED", "WEBSITE_FORM", "PURCHASE", "MEMBERSHIP_STARTED"})
    @DisplayName("evidence recorded for another brand never counts (OTHER_BRAND_EVIDENCE)")
    void otherBrandGrantNeverCounts(EvidenceKind kind) {
      Verdict v = optin(LATER, otherBrand("o1", kind, day(1)));
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.reasons()).contains("OTHER_BRAND_EVIDENCE:o1");
      assertThat(v.evidenceIds()).doesNotContain("o1");
    }

    @Test
    @DisplayName("another brand's withdrawal does not withdraw this brand's consent")
    void otherBrandWithdrawalDoesNotCount() {
      Verdict v = optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)), otherBrand("u1", UNSUBSCRIBE, day(2)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.reasons()).contains("OTHER_BRAND_EVIDENCE:u1");
    }

    @Test
    @DisplayName("a pending double opt-in for another brand is not pending for this one")
    void otherBrandRequestDoesNotCount() {
      Verdict v = optin(LATER, otherBrand("r1", DOUBLE_OPT_IN_REQUESTED, day(1)));
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.reasons()).contains("OTHER_BRAND_EVIDENCE:r1");
    }

    @Test
    @DisplayName("consent given on another brand's form does not transfer (OTHER_BRAND_FORM source)")
    void otherBrandFormDoesNotTransfer() {
      ConsentState s = state(contact(ContactSource.OTHER_BRAND_FORM), otherBrand("o1", CHECKBOX_OPT_IN, day(1)));
      Verdict v = decide(OPTIN, s, LATER);
      assertVerdict(v, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      assertThat(v.reasons()).contains("OTHER_BRAND_EVIDENCE:o1");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Principle 3: where the address came from never grants consent by itself")
  class Principle3 {

    /** The sources table of docs/policy.md, column "without a valid grant". */
    static final Map<ContactSource, ConsentStatus> TABLE = sourceTable();

    private static Map<ContactSource, ConsentStatus> sourceTable() {
      Map<ContactSource, ConsentStatus> t = new EnumMap<>(ContactSource.class);
      t.put(ContactSource.OWN_CHANNEL, ConsentStatus.NO_CONSENT);
      t.put(ContactSource.MANUAL_ENTRY, ConsentStatus.NO_CONSENT);
      t.put(ContactSource.THIRD_PARTY_LIST, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.MEMBER_LIST, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.PREVIOUS_COMPANY, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.OTHER_BRAND_FORM, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.LEAD_VENDOR, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.DATA_ENRICHMENT, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.INBOUND_EMAIL, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.EVENT_ATTENDEE_LIST, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      t.put(ContactSource.PERSONAL_NETWORK, ConsentStatus.NEEDS_VERIFICATION);
      t.put(ContactSource.EMPLOYER_LIST, ConsentStatus.NEEDS_VERIFICATION);
      t.put(ContactSource.MERGER_ACQUISITION, ConsentStatus.NEEDS_VERIFICATION);
      t.put(ContactSource.MET_IN_PERSON, ConsentStatus.NEEDS_VERIFICATION);
      return t;
    }

    @Test
    @DisplayName("the sources table has exactly the 14 sources of docs/policy.md")
    void tableCoversEverySource() {
      assertThat(ContactSource.values()).hasSize(14);
      assertThat(TABLE).containsOnlyKeys(ContactSource.values());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ContactSource.class)
    @DisplayName("without a valid grant, each source gives the status of the sources table")
    void sourceStatusWithoutGrant(ContactSource source) {
      Verdict v = decide(OPTIN, state(contact(source)), LATER);
      assertVerdict(v, TABLE.get(source));
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.reasons()).contains(ReasonCode.SOURCE.about(source.name()));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ContactSource.class)
    @DisplayName("a contact from any source becomes ALLOW once a valid own-brand grant exists")
    void anySourceAllowsWithGrant(ContactSource source) {
      Verdict v = decide(OPTIN, state(contact(source), ev("c1", CHECKBOX_OPT_IN, day(1))), LATER);
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("a contact bought from a list who later submits a form on your site has consented")
    void thirdPartyListThenOwnWebsiteForm() {
      Verdict v = decide(OPTIN, state(contact(ContactSource.THIRD_PARTY_LIST), ev("w1", WEBSITE_FORM, day(3))), LATER);
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.decision()).isEqualTo(Decision.ALLOW);
      assertThat(v.evidenceIds()).containsExactly("w1");
    }

    @Test
    @DisplayName("a third-party list contact stays SOURCE_NOT_ACCEPTABLE when the form was not verifiable")
    void thirdPartyListWithUnverifiableForm() {
      Verdict v = decide(OPTIN,
          state(contact(ContactSource.THIRD_PARTY_LIST), unproven("w1", WEBSITE_FORM, day(3))), LATER);
      assertVerdict(v, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Principle 4 / rule 3: withdrawal wins")
  class Principle4 {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"UNSUBSCRIBE", "SPAM_COMPLAINT"})
    @DisplayName("an unsubscribe or spam complaint revokes a grant that occurred before it")
    void withdrawalRevokesEarlierGrant(EvidenceKind withdrawal) {
      Verdict v = optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)), ev("u1", withdrawal, day(2)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.reasons()).contains("REVOKED_BY_WITHDRAWAL:c1");
      assertThat(v.evidenceIds()).containsExactly("u1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"UNSUBSCRIBE", "SPAM_COMPLAINT"})
    @DisplayName("a grant at the same instant as the withdrawal counts as before it")
    void grantAtSameInstantIsRevoked(EvidenceKind withdrawal) {
      Instant t = day(2);
      Verdict v = optin(LATER, ev("c1", CHECKBOX_OPT_IN, t), ev("u1", withdrawal, t));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
    }

    @Test
    @DisplayName("a withdrawal also revokes implicit grants before it")
    void withdrawalRevokesImplicitGrants() {
      Verdict v = optin(LATER, ev("p1", PURCHASE, day(1)), ev("w1", WEBSITE_FORM, day(1)), ev("u1", UNSUBSCRIBE, day(2)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"CHECKBOX_OPT_IN", "WRITTEN_CONSENT", "NEWSLETTER_SIGNUP",
        "DOUBLE_OPT_IN_CONFIRMED", "RECONFIRMED"})
    @DisplayName("an explicit grant strictly after the latest withdrawal restores consent")
    void explicitAfterWithdrawalRestores(EvidenceKind kind) {
      Verdict v = optin(LATER, ev("u1", UNSUBSCRIBE, day(1)), ev("g1", kind, day(2)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.evidenceIds()).containsExactly("g1");
    }

    @Test
    @DisplayName("an explicit grant one millisecond after the withdrawal restores consent")
    void explicitJustAfterWithdrawalRestores() {
      Verdict v = optin(LATER, ev("u1", UNSUBSCRIBE, day(1)), ev("c1", CHECKBOX_OPT_IN, day(1).plusMillis(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"WEBSITE_FORM", "AD_CONVERSION", "TRADE_SHOW_BOOTH", "PURCHASE",
        "CONTRACT", "DONATION", "VOLUNTEERING", "MEMBERSHIP_STARTED"})
    @DisplayName("buying or filling in an ordinary form after unsubscribing does not restore consent")
    void implicitAfterWithdrawalDoesNotRestore(EvidenceKind kind) {
      Verdict v = optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)), ev("u1", UNSUBSCRIBE, day(2)), ev("g1", kind, day(3)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
      assertThat(v.reasons()).contains("NOT_EXPLICIT_AFTER_WITHDRAWAL:g1");
      assertThat(v.evidenceIds()).containsExactly("u1");
    }

    @Test
    @DisplayName("a withdrawal needs no proof reference (decision of the code: doubt must not let mail through)")
    void withdrawalNeedsNoProof() {
      Verdict v = optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)), unproven("u1", UNSUBSCRIBE, day(2)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
      assertThat(v.evidenceIds()).containsExactly("u1");
    }

    @Test
    @DisplayName("a later withdrawal after a restoring grant wins again")
    void laterWithdrawalWinsAgain() {
      Verdict v = optin(LATER, ev("u1", UNSUBSCRIBE, day(1)), ev("c1", CHECKBOX_OPT_IN, day(2)),
          ev("s1", SPAM_COMPLAINT, day(3)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
      assertThat(v.evidenceIds()).containsExactly("s1");
      assertThat(v.reasons()).contains("REVOKED_BY_WITHDRAWAL:c1");
    }

    @Test
    @DisplayName("only the latest withdrawal matters: an explicit grant between two withdrawals does not restore")
    void onlyGrantAfterLatestWithdrawalRestores() {
      Verdict v = optin(LATER, ev("s1", SPAM_COMPLAINT, day(1)), ev("c1", WRITTEN_CONSENT, day(2)),
          ev("u1", UNSUBSCRIBE, day(3)), ev("p1", PURCHASE, day(4)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
      assertThat(v.evidenceIds()).containsExactly("u1");
    }

    @Test
    @DisplayName("an unverifiable explicit grant after a withdrawal does not restore consent")
    void unverifiableExplicitAfterWithdrawalDoesNotRestore() {
      Verdict v = optin(LATER, ev("u1", UNSUBSCRIBE, day(1)), unproven("c1", CHECKBOX_OPT_IN, day(2)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
      assertThat(v.reasons()).contains("UNVERIFIABLE_EVIDENCE:c1");
    }

    @Test
    @DisplayName("another brand's explicit grant after a withdrawal does not restore consent")
    void otherBrandExplicitAfterWithdrawalDoesNotRestore() {
      Verdict v = optin(LATER, ev("u1", UNSUBSCRIBE, day(1)), otherBrand("c1", CHECKBOX_OPT_IN, day(2)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Principle 5 / rule 2: role-based addresses can never consent")
  class Principle5 {

    /** The shipped default list (the tests run in the module directory); docs/policy.md lists the same names. */
    private static final Path SHIPPED_ROLE_LIST = Path.of("src/main/resources/role-addresses.txt");

    private Verdict withAllGrants(PolicySettings settings, String email) {
      return decide(settings, state(contact(email), ev("c1", CHECKBOX_OPT_IN, day(1)), ev("w1", WRITTEN_CONSENT, day(1)),
          ev("d1", DOUBLE_OPT_IN_CONFIRMED, day(2)), ev("p1", PURCHASE, day(2))), LATER);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"info@example.org", "sales@example.org", "admin@example.org", "noreply@shop.example.com"})
    @DisplayName("a role address is denied whatever evidence exists (ROLE_BASED_ADDRESS)")
    void roleAddressDeniedWhateverEvidence(String email) {
      Verdict v = withAllGrants(OPTIN, email);
      assertVerdict(v, ConsentStatus.ROLE_BASED_ADDRESS);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.oneToOneAllowed()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"INFO@example.org", "Sales@example.org", "aDmIn@example.org"})
    @DisplayName("the local part is compared case-insensitively")
    void caseInsensitive(String email) {
      assertVerdict(withAllGrants(OPTIN, email), ConsentStatus.ROLE_BASED_ADDRESS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Info+promo@x.example", "sales+2024@example.org", "admin+@example.org"})
    @DisplayName("the local part is compared after dropping any +tag")
    void afterDroppingPlusTag(String email) {
      assertVerdict(withAllGrants(OPTIN, email), ConsentStatus.ROLE_BASED_ADDRESS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"information@example.org", "ann.info@example.org", "ann+info@example.org",
        "info.ann@example.org", "ann@info.example.org"})
    @DisplayName("a personal address that merely contains a role word is not role-based")
    void personalAddressIsNotRoleBased(String email) {
      assertVerdict(withAllGrants(OPTIN, email), ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("the list is configurable")
    void listIsConfigurable() {
      PolicySettings custom = new PolicySettings(Profile.OPTIN, Map.of(), RoleAddresses.of(List.of("team")));
      assertVerdict(withAllGrants(custom, "team@example.org"), ConsentStatus.ROLE_BASED_ADDRESS);
      assertVerdict(withAllGrants(custom, "Team+x@example.org"), ConsentStatus.ROLE_BASED_ADDRESS);
      assertVerdict(withAllGrants(custom, "info@example.org"), ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("the default list is exactly the shipped role-addresses.txt, and each name is denied")
    void defaultListIsExactlyTheShippedFile() throws IOException {
      assertThat(SHIPPED_ROLE_LIST).as("shipped role list (working directory must be the module dir)").exists();
      List<String> names = Files.readAllLines(SHIPPED_ROLE_LIST).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
      assertThat(names).contains("info", "sales", "admin").doesNotHaveDuplicates();
      assertThat(RoleAddresses.defaults().names()).as("RoleAddresses.defaults()").containsExactlyInAnyOrderElementsOf(names);
      assertThat(PolicySettings.defaults().roleAddresses().names()).as("PolicySettings.defaults()")
          .containsExactlyInAnyOrderElementsOf(names);
      ConsentPolicy policy = new ConsentPolicy(OPTIN);
      for (String name : names) {
        ConsentState s = state(contact(name + "@example.org"), ev("c1", CHECKBOX_OPT_IN, day(1)));
        assertThat(policy.decide(s, LATER).status()).as(name).isEqualTo(ConsentStatus.ROLE_BASED_ADDRESS);
      }
    }

    @Test
    @DisplayName("settings defaults() use the default role list")
    void defaultSettingsUseDefaultList() {
      assertThat(PolicySettings.defaults().roleAddresses().names())
          .isEqualTo(RoleAddresses.defaults().names());
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Rule 1: an address that is not syntactically valid is denied (INVALID_ADDRESS)")
  class Rule1 {

    static List<String> invalidAddresses() {
      String local64 = "a".repeat(64);
      // 64 + 1 + 195 = 260 characters; every label and the domain alone are within their limits.
      String tooLong = local64 + "@" + ("b".repeat(63) + ".").repeat(3) + "org";
      return List.of(
          "ann.example.org",          // no @
          "ann@b@example.org",        // two @
          "@example.org",             // empty local part
          "ann@",                     // empty domain
          "ann@example",              // no dot in the domain
          "ann@-example.org",         // label starting with '-'
          "ann@example-.org",         // label ending with '-'
          "ann smith@example.org",    // space in the local part
          " ann@example.org",         // leading space
          "ann@example.org ",         // trailing space
          "ann@exa mple.org",         // space in the domain
          "ann@example.org.",         // trailing dot
          "ann@example..org",         // empty label
          ".ann@example.org",         // local part starting with a dot
          "ann.@example.org",         // local part ending with a dot
          "ann..b@example.org",       // two dots in a row
          "",                         // nothing at all
          tooLong);                   // more than 254 characters
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("invalidAddresses")
    @DisplayName("invalid address -> DENY, INVALID_ADDRESS, oneToOneAllowed=false, whatever the evidence")
    void invalidAddressIsDenied(String email) {
      Verdict v = decide(OPTIN, state(contact(email), ev("c1", CHECKBOX_OPT_IN, day(1))), LATER);
      assertVerdict(v, ConsentStatus.INVALID_ADDRESS);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.oneToOneAllowed()).isFalse();
      assertThat(v.email()).isEqualTo(email);
    }

    @Test
    @DisplayName("the 254-character limit: 254 characters are accepted")
    void exactly254CharactersIsValid() {
      String email = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57) + ".org";
      assertThat(email).hasSize(254);
      Verdict v = decide(OPTIN, state(contact(email), ev("c1", CHECKBOX_OPT_IN, day(1))), LATER);
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("an address's parts: the local part and domain as written, the mailbox name lower case without its +tag")
    void addressParts() {
      EmailAddress address = EmailAddress.parse("Ann.B+News+x@Mail.Example.org").orElseThrow();
      assertThat(address.localPart()).isEqualTo("Ann.B+News+x");
      assertThat(address.domain()).isEqualTo("Mail.Example.org");
      assertThat(address.mailboxName()).isEqualTo("ann.b");
      assertThat(EmailAddress.parse("INFO@example.org").orElseThrow().mailboxName()).isEqualTo("info");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"ann+news@example.org", "ann.b.smith@example.org", "ann@mail.eu.example.org",
        "ann@example.xn--p1ai", "ANN@EXAMPLE.ORG", "a_b-c@ex-ample.co.uk", "o'brien@example.ie", "x@e.io"})
    @DisplayName("valid addresses are accepted (plus tag, dots, subdomains, xn-- TLD)")
    void validAddressesAreAccepted(String email) {
      assertThat(EmailAddress.parse(email)).isPresent();
      Verdict v = decide(OPTIN, state(contact(email), ev("c1", CHECKBOX_OPT_IN, day(1))), LATER);
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.oneToOneAllowed()).isTrue();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"info@example", "info@@example.org", "Sales@-example.org", "info+x@example.org."})
    @DisplayName("rule 1 wins over rule 2: an invalid role address is INVALID_ADDRESS")
    void invalidWinsOverRoleBased(String email) {
      Verdict v = decide(OPTIN, state(contact(email)), LATER);
      assertVerdict(v, ConsentStatus.INVALID_ADDRESS);
      assertThat(v.oneToOneAllowed()).isFalse();
    }

    @Test
    @DisplayName("rule 1 wins over consent: an explicit grant does not make an invalid address sendable")
    void invalidWinsOverConsent() {
      Verdict v = decide(OPTIN, state(contact("ann@example"), ev("c1", WRITTEN_CONSENT, day(1)),
          ev("m1", MEMBERSHIP_STARTED, day(1))), LATER);
      assertVerdict(v, ConsentStatus.INVALID_ADDRESS);
      assertThat(v.evidenceIds()).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** A history that produces the given status under profile optin. */
  static Verdict verdictWithStatus(ConsentStatus status) {
    return switch (status) {
      case CONSENTED_EXPLICIT -> optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)));
      case CONSENTED_IMPLICIT -> optin(LATER, ev("w1", WEBSITE_FORM, day(1)));
      case WITHDRAWN -> optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)), ev("u1", UNSUBSCRIBE, day(2)));
      case EXPIRED -> optin(day(1000), ev("p1", PURCHASE, day(1)));
      case PENDING_CONFIRMATION -> optin(LATER, ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1)));
      case NEEDS_VERIFICATION -> decide(OPTIN, state(contact(ContactSource.PERSONAL_NETWORK)), LATER);
      case SOURCE_NOT_ACCEPTABLE -> decide(OPTIN, state(contact(ContactSource.LEAD_VENDOR)), LATER);
      case NO_CONSENT -> optin(LATER);
      case ROLE_BASED_ADDRESS -> decide(OPTIN, state(contact("info@example.org"), ev("c1", CHECKBOX_OPT_IN, day(1))), LATER);
      case INVALID_ADDRESS -> decide(OPTIN, state(contact("not-an-address")), LATER);
      case UNDELIVERABLE -> optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)), ev("b1", HARD_BOUNCE, day(2)));
      case SUPPRESSED -> decide(OPTIN, state(contact(), ev("c1", CHECKBOX_OPT_IN, day(1)))
          .with(PolicyFixtures.suppression("c-other", "u9", UNSUBSCRIBE, day(2))), LATER);
    };
  }

  @Nested
  @DisplayName("Statuses, decisions and one-to-one email")
  class Statuses {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ConsentStatus.class)
    @DisplayName("every status is reachable and implies its decision (ALLOW only for CONSENTED_*)")
    void statusImpliesDecision(ConsentStatus status) {
      Verdict v = verdictWithStatus(status);
      assertVerdict(v, status);
      Decision expected = status == ConsentStatus.CONSENTED_EXPLICIT || status == ConsentStatus.CONSENTED_IMPLICIT
          ? Decision.ALLOW : Decision.DENY;
      assertThat(v.decision()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ConsentStatus.class, mode = EnumSource.Mode.EXCLUDE, names = {"INVALID_ADDRESS", "UNDELIVERABLE"})
    @DisplayName("one-to-one email is allowed unless the address is invalid or bounced")
    void oneToOneAllowedForEveryOtherStatus(ConsentStatus status) {
      Verdict v = verdictWithStatus(status);
      assertThat(v.status()).isEqualTo(status);
      assertThat(v.oneToOneAllowed()).isTrue();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Deciding: the first rule that applies wins")
  class RuleOrder {

    @Test
    @DisplayName("rule 2 (role address) wins over rule 3 (withdrawal)")
    void roleBeatsWithdrawal() {
      Verdict v = decide(OPTIN, state(contact("sales@example.org"), ev("u1", UNSUBSCRIBE, day(1))), LATER);
      assertVerdict(v, ConsentStatus.ROLE_BASED_ADDRESS);
    }

    @Test
    @DisplayName("rule 3 (withdrawal) wins over rule 4 (an explicit grant before it)")
    void withdrawalBeatsEarlierExplicit() {
      assertVerdict(optin(LATER, ev("c1", WRITTEN_CONSENT, day(1)), ev("u1", UNSUBSCRIBE, day(2))),
          ConsentStatus.WITHDRAWN);
    }

    @Test
    @DisplayName("rule 3 (withdrawal) wins over rule 5 (an implicit grant before it)")
    void withdrawalBeatsEarlierImplicit() {
      assertVerdict(optin(LATER, ev("m1", MEMBERSHIP_STARTED, day(1)), ev("u1", SPAM_COMPLAINT, day(2))),
          ConsentStatus.WITHDRAWN);
    }

    @Test
    @DisplayName("rule 3 (withdrawal) wins over rule 7 (pending)")
    void withdrawalBeatsPending() {
      assertVerdict(optin(LATER, ev("u1", UNSUBSCRIBE, day(1)), ev("r1", DOUBLE_OPT_IN_REQUESTED, day(2))),
          ConsentStatus.WITHDRAWN);
    }

    @Test
    @DisplayName("rule 4 (explicit) wins over rule 5 (implicit)")
    void explicitBeatsImplicit() {
      Verdict v = optin(LATER, ev("p1", PURCHASE, day(1)), ev("c1", CHECKBOX_OPT_IN, day(2)), ev("w1", WEBSITE_FORM, day(3)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.validUntil()).isNull();
      assertThat(v.evidenceIds()).containsExactly("c1");
    }

    @Test
    @DisplayName("rule 5 (valid implicit) wins over rule 6 (lapsed implicit)")
    void validImplicitBeatsLapsed() {
      Instant asOf = day(800);
      Verdict v = optin(asOf, ev("p1", PURCHASE, day(1)), ev("d1", DONATION, day(500)));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.reasons()).contains("GRANT_LAPSED:p1");
      assertThat(v.evidenceIds()).containsExactly("d1");
    }

    @Test
    @DisplayName("rule 5 (implicit) wins over rule 7 (pending)")
    void implicitBeatsPending() {
      assertVerdict(optin(LATER, ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1)), ev("w1", WEBSITE_FORM, day(2))),
          ConsentStatus.CONSENTED_IMPLICIT);
    }

    @Test
    @DisplayName("rule 6 (expired) wins over rule 7 (pending)")
    void expiredBeatsPending() {
      assertVerdict(optin(day(1000), ev("p1", PURCHASE, day(1)), ev("r1", DOUBLE_OPT_IN_REQUESTED, day(900))),
          ConsentStatus.EXPIRED);
    }

    @Test
    @DisplayName("rule 6 (expired) wins over rule 8 (source)")
    void expiredBeatsSource() {
      Verdict v = decide(OPTIN, state(contact(ContactSource.EMPLOYER_LIST), ev("p1", CONTRACT, day(1))), day(1000));
      assertVerdict(v, ConsentStatus.EXPIRED);
    }

    @Test
    @DisplayName("rule 7 (pending) wins over rule 8 (source)")
    void pendingBeatsSource() {
      Verdict v = decide(OPTIN, state(contact(ContactSource.THIRD_PARTY_LIST), ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1))),
          LATER);
      assertVerdict(v, ConsentStatus.PENDING_CONFIRMATION);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Rule 4: explicit grants")
  class ExplicitGrants {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"CHECKBOX_OPT_IN", "WRITTEN_CONSENT", "NEWSLETTER_SIGNUP",
        "DOUBLE_OPT_IN_CONFIRMED", "RECONFIRMED"})
    @DisplayName("a valid explicit grant -> ALLOW, CONSENTED_EXPLICIT, validUntil = null")
    void explicitGrantAllows(EvidenceKind kind) {
      Verdict v = optin(LATER, ev("g1", kind, day(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.decision()).isEqualTo(Decision.ALLOW);
      assertThat(v.validUntil()).isNull();
      assertThat(v.evidenceIds()).contains("g1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"CHECKBOX_OPT_IN", "WRITTEN_CONSENT", "NEWSLETTER_SIGNUP",
        "DOUBLE_OPT_IN_CONFIRMED", "RECONFIRMED"})
    @DisplayName("an explicit grant is valid until withdrawn: it does not lapse after two years")
    void explicitGrantDoesNotLapse(EvidenceKind kind) {
      Verdict v = optin(day(365 * 10), ev("g1", kind, day(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("evidenceIds name every counting explicit grant")
    void evidenceIdsNameEveryExplicitGrant() {
      Verdict v = optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1)), ev("r1", RECONFIRMED, day(2)));
      assertThat(v.evidenceIds()).containsExactlyInAnyOrder("c1", "r1");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Rules 5 and 6: implicit grants and their validity")
  class ImplicitGrants {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"WEBSITE_FORM", "AD_CONVERSION", "TRADE_SHOW_BOOTH"})
    @DisplayName("form, ad conversion and booth are valid until withdrawn: CONSENTED_IMPLICIT, validUntil = null")
    void untilWithdrawnKinds(EvidenceKind kind) {
      Verdict v = optin(day(365 * 10), ev("g1", kind, day(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.decision()).isEqualTo(Decision.ALLOW);
      assertThat(v.validUntil()).isNull();
      assertThat(v.evidenceIds()).containsExactly("g1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"PURCHASE", "CONTRACT", "DONATION", "VOLUNTEERING"})
    @DisplayName("purchase, contract, donation and volunteering are valid for two calendar years: validUntil = occurredAt + 2y")
    void twoYearKinds(EvidenceKind kind) {
      Instant occurred = at("2024-05-17T13:45:12.345Z");
      Verdict v = optin(at("2025-01-01T00:00:00Z"), ev("g1", kind, occurred));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.validUntil()).isEqualTo(at("2026-05-17T13:45:12.345Z"));
      assertThat(v.evidenceIds()).containsExactly("g1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"PURCHASE", "CONTRACT", "DONATION", "VOLUNTEERING"})
    @DisplayName("a grant at 2024-03-10T08:00:00Z is valid while asOf < 2026-03-10T08:00:00Z, then EXPIRED (GRANT_LAPSED)")
    void exactTwoYearBoundary(EvidenceKind kind) {
      Evidence g = ev("g1", kind, at("2024-03-10T08:00:00Z"));

      Verdict before = optin(at("2026-03-10T07:59:59.999Z"), g);
      assertVerdict(before, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(before.validUntil()).isEqualTo(at("2026-03-10T08:00:00Z"));

      Verdict atEnd = optin(at("2026-03-10T08:00:00Z"), g);
      assertVerdict(atEnd, ConsentStatus.EXPIRED);
      assertThat(atEnd.decision()).isEqualTo(Decision.DENY);
      assertThat(atEnd.validUntil()).isNull();
      assertThat(atEnd.reasons()).contains("GRANT_LAPSED:g1");
      assertThat(atEnd.evidenceIds()).containsExactly("g1");
    }

    @Test
    @DisplayName("two calendar years, not 730 days: a window spanning 29 February lasts 731 days")
    void calendarYearsNotDays() {
      Verdict v = optin(at("2025-05-31T12:00:00Z"), ev("p1", PURCHASE, at("2023-06-01T00:00:00Z")));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.validUntil()).isEqualTo(at("2025-06-01T00:00:00Z"));
    }

    @Test
    @DisplayName("a grant on 2024-02-29 is valid until 2026-02-28 (java.time plusYears)")
    void leapDay() {
      Evidence p = ev("p1", PURCHASE, at("2024-02-29T12:00:00Z"));
      Verdict valid = optin(at("2026-02-28T11:59:59.999Z"), p);
      assertVerdict(valid, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(valid.validUntil()).isEqualTo(at("2026-02-28T12:00:00Z"));
      assertVerdict(optin(at("2026-02-28T12:00:00Z"), p), ConsentStatus.EXPIRED);
    }

    @Test
    @DisplayName("validUntil is the latest expiry among the valid grants")
    void validUntilIsLatestExpiry() {
      Instant asOf = at("2025-01-01T00:00:00Z");
      // the later grant is of a kind that sorts before the earlier one's
      Verdict v = optin(asOf, ev("p1", PURCHASE, at("2024-06-01T00:00:00Z")), ev("c1", CONTRACT, at("2024-02-01T00:00:00Z")),
          ev("v1", VOLUNTEERING, at("2023-03-01T00:00:00Z")));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.validUntil()).isEqualTo(at("2026-06-01T00:00:00Z"));

      Verdict w = optin(asOf, ev("p1", PURCHASE, at("2024-02-01T00:00:00Z")), ev("c1", CONTRACT, at("2024-06-01T00:00:00Z")));
      assertThat(w.validUntil()).isEqualTo(at("2026-06-01T00:00:00Z"));
    }

    @Test
    @DisplayName("the latest purchase of several decides validUntil")
    void latestPurchaseDecides() {
      Verdict v = optin(at("2025-01-01T00:00:00Z"), ev("p1", PURCHASE, at("2024-06-01T00:00:00Z")),
          ev("p2", PURCHASE, at("2024-08-01T00:00:00Z")));
      assertThat(v.validUntil()).isEqualTo(at("2026-08-01T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"WEBSITE_FORM", "AD_CONVERSION", "TRADE_SHOW_BOOTH", "MEMBERSHIP_STARTED"})
    @DisplayName("validUntil is null when one of the valid grants does not expire")
    void validUntilNullWhenOneDoesNotExpire(EvidenceKind kind) {
      Verdict v = optin(at("2025-01-01T00:00:00Z"), ev("p1", PURCHASE, at("2024-06-01T00:00:00Z")),
          ev("g1", kind, at("2023-01-01T00:00:00Z")));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.validUntil()).isNull();
    }

    @Test
    @DisplayName("all implicit grants lapsed -> DENY, EXPIRED, naming every lapsed grant")
    void allLapsedIsExpired() {
      Verdict v = optin(at("2027-01-01T00:00:00Z"), ev("p1", PURCHASE, at("2024-06-01T00:00:00Z")),
          ev("d1", DONATION, at("2024-02-01T00:00:00Z")));
      assertVerdict(v, ConsentStatus.EXPIRED);
      assertThat(v.reasons()).contains("GRANT_LAPSED:p1", "GRANT_LAPSED:d1");
      assertThat(v.evidenceIds()).containsExactlyInAnyOrder("p1", "d1");
    }

    @Test
    @DisplayName("with implicit consent the verdict recommends asking for explicit consent")
    void implicitRecommendsExplicit() {
      Verdict v = optin(LATER, ev("w1", WEBSITE_FORM, day(1)));
      assertThat(v.recommendations()).containsExactly(Recommendation.ASK_FOR_EXPLICIT_CONSENT.name());
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Membership: valid until a later MEMBERSHIP_ENDED")
  class Membership {

    @Test
    @DisplayName("an active membership is an implicit grant without expiry")
    void activeMembership() {
      Verdict v = optin(day(365 * 5), ev("s1", MEMBERSHIP_STARTED, day(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.validUntil()).isNull();
    }

    @Test
    @DisplayName("a later MEMBERSHIP_ENDED ends it -> EXPIRED (MEMBERSHIP_ENDED)")
    void endedMembership() {
      Verdict v = optin(LATER, ev("s1", MEMBERSHIP_STARTED, day(1)), ev("e1", MEMBERSHIP_ENDED, day(5)));
      assertVerdict(v, ConsentStatus.EXPIRED);
      assertThat(v.reasons()).contains("MEMBERSHIP_ENDED:s1");
      assertThat(v.evidenceIds()).containsExactly("s1");
    }

    @Test
    @DisplayName("until an end is recorded the membership is valid")
    void validBeforeEnd() {
      Verdict v = optin(day(4), ev("s1", MEMBERSHIP_STARTED, day(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.validUntil()).isNull();
    }

    @Test
    @DisplayName("a restart after the end is valid again")
    void restartAfterEnd() {
      Verdict v = optin(LATER, ev("s1", MEMBERSHIP_STARTED, day(1)), ev("e1", MEMBERSHIP_ENDED, day(5)),
          ev("s2", MEMBERSHIP_STARTED, day(8)));
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.evidenceIds()).containsExactly("s2");
    }

    @Test
    @DisplayName("an end before the start does not end it")
    void endBeforeStartDoesNotEnd() {
      assertVerdict(optin(LATER, ev("e1", MEMBERSHIP_ENDED, day(1)), ev("s1", MEMBERSHIP_STARTED, day(2))),
          ConsentStatus.CONSENTED_IMPLICIT);
    }

    @Test
    @DisplayName("an end at the same instant as the start ends it")
    void endAtSameInstantEnds() {
      Verdict v = optin(LATER, ev("s1", MEMBERSHIP_STARTED, day(2)), ev("e1", MEMBERSHIP_ENDED, day(2)));
      assertVerdict(v, ConsentStatus.EXPIRED);
      assertThat(v.reasons()).contains("MEMBERSHIP_ENDED:s1");
    }

    @Test
    @DisplayName("an end needs no proof reference (decision of the code)")
    void endNeedsNoProof() {
      assertVerdict(optin(LATER, ev("s1", MEMBERSHIP_STARTED, day(1)), unproven("e1", MEMBERSHIP_ENDED, day(5))),
          ConsentStatus.EXPIRED);
    }

    @Test
    @DisplayName("another brand's membership end does not end this brand's membership")
    void otherBrandEndDoesNotEnd() {
      assertVerdict(optin(LATER, ev("s1", MEMBERSHIP_STARTED, day(1)), otherBrand("e1", MEMBERSHIP_ENDED, day(5))),
          ConsentStatus.CONSENTED_IMPLICIT);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Event time: a grant counts only once asOf >= occurredAt")
  class EventTime {

    @Test
    @DisplayName("a grant counts from the instant it occurred (asOf == occurredAt)")
    void grantCountsAtItsInstant() {
      assertVerdict(optin(day(2), ev("c1", CHECKBOX_OPT_IN, day(2))), ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("the contact's own creation time is an event: asOf may equal it")
    void decidesAtCreation() {
      assertVerdict(optin(T0), ConsentStatus.NO_CONSENT);
    }

    // The state keeps only the latest evidence per slot, so it cannot answer for a moment before a
    // recorded event: an earlier record the later one replaced might have decided then. The
    // policy refuses instead of answering wrongly; the gate always decides at or after the latest
    // event, and an audit "as of" an earlier moment replays the history up to that moment.

    @Test
    @DisplayName("an asOf before a recorded grant is refused, not answered as if the grant did not exist")
    void asOfBeforeAGrantIsRefused() {
      assertThatThrownBy(() -> optin(day(1), ev("c1", CHECKBOX_OPT_IN, day(2))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latest recorded event");
    }

    @Test
    @DisplayName("an asOf between two purchases is refused (the earlier purchase is no longer in the state)")
    void asOfBetweenPurchasesIsRefused() {
      assertThatThrownBy(() -> optin(day(5), ev("p1", PURCHASE, day(1)), ev("p2", PURCHASE, day(10))))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("an asOf between two unsubscribes is refused, so an earlier withdrawal can never be missed")
    void asOfBetweenUnsubscribesIsRefused() {
      assertThatThrownBy(() -> optin(day(5), ev("c1", CHECKBOX_OPT_IN, T0), ev("u1", UNSUBSCRIBE, day(1)),
          ev("u2", UNSUBSCRIBE, day(10)))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("an asOf between two membership ends is refused")
    void asOfBetweenMembershipEndsIsRefused() {
      assertThatThrownBy(() -> optin(day(5), ev("s1", MEMBERSHIP_STARTED, day(1)), ev("e1", MEMBERSHIP_ENDED, day(2)),
          ev("e2", MEMBERSHIP_ENDED, day(10)))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a later identical unsubscribe at the decision time still withdraws")
    void repeatedUnsubscribeWithdraws() {
      assertVerdict(optin(day(10), ev("c1", CHECKBOX_OPT_IN, T0), ev("u1", UNSUBSCRIBE, day(1)),
          ev("u2", UNSUBSCRIBE, day(10))), ConsentStatus.WITHDRAWN);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Rule 7: a DOUBLE_OPT_IN_REQUESTED with no confirmation yet is PENDING_CONFIRMATION")
  class Pending {

    @Test
    @DisplayName("a request without confirmation -> DENY, PENDING_CONFIRMATION")
    void requestWithoutConfirmation() {
      Verdict v = optin(LATER, ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1)));
      assertVerdict(v, ConsentStatus.PENDING_CONFIRMATION);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.evidenceIds()).containsExactly("r1");
    }

    @Test
    @DisplayName("a request needs no proof reference to be pending (decision of the code)")
    void requestNeedsNoProof() {
      assertVerdict(optin(LATER, unproven("r1", DOUBLE_OPT_IN_REQUESTED, day(1))), ConsentStatus.PENDING_CONFIRMATION);
    }

    @Test
    @DisplayName("a later verifiable DOUBLE_OPT_IN_CONFIRMED -> CONSENTED_EXPLICIT")
    void confirmedRequest() {
      Verdict v = optin(LATER, ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1)), ev("k1", DOUBLE_OPT_IN_CONFIRMED, day(2)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.evidenceIds()).containsExactly("k1");
    }

    @Test
    @DisplayName("an unverifiable confirmation leaves it pending")
    void unverifiableConfirmationLeavesPending() {
      Verdict v = optin(LATER, ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1)), unproven("k1", DOUBLE_OPT_IN_CONFIRMED, day(2)));
      assertVerdict(v, ConsentStatus.PENDING_CONFIRMATION);
      assertThat(v.reasons()).contains("UNVERIFIABLE_EVIDENCE:k1");
    }

    @Test
    @DisplayName("another brand's confirmation leaves it pending")
    void otherBrandConfirmationLeavesPending() {
      assertVerdict(optin(LATER, ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1)), otherBrand("k1", DOUBLE_OPT_IN_CONFIRMED, day(2))),
          ConsentStatus.PENDING_CONFIRMATION);
    }

    @Test
    @DisplayName("pending until the confirmation is recorded, then explicit")
    void pendingUntilConfirmed() {
      Evidence request = ev("r1", DOUBLE_OPT_IN_REQUESTED, day(1));
      assertVerdict(optin(day(3), request), ConsentStatus.PENDING_CONFIRMATION);
      assertVerdict(optin(day(5), request, ev("k1", DOUBLE_OPT_IN_CONFIRMED, day(5))), ConsentStatus.CONSENTED_EXPLICIT);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Profiles: optin (default) and strict")
  class Profiles {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"WEBSITE_FORM", "AD_CONVERSION", "TRADE_SHOW_BOOTH", "PURCHASE",
        "CONTRACT", "DONATION", "VOLUNTEERING", "MEMBERSHIP_STARTED"})
    @DisplayName("strict: implicit grants do not count (IMPLICIT_NOT_ACCEPTED_BY_PROFILE), the source decides")
    void strictIgnoresImplicit(EvidenceKind kind) {
      Verdict v = strict(LATER, ev("g1", kind, day(1)));
      assertVerdict(v, ConsentStatus.NO_CONSENT);
      assertThat(v.reasons()).contains("IMPLICIT_NOT_ACCEPTED_BY_PROFILE:g1");
      assertThat(v.recommendations()).contains(Recommendation.ASK_FOR_EXPLICIT_CONSENT.name());
      assertThat(v.policy()).isEqualTo("strict/1");
    }

    @Test
    @DisplayName("strict: an implicit grant for a third-party list contact leaves SOURCE_NOT_ACCEPTABLE")
    void strictImplicitThirdParty() {
      Verdict v = decide(STRICT, state(contact(ContactSource.THIRD_PARTY_LIST), ev("w1", WEBSITE_FORM, day(1))), LATER);
      assertVerdict(v, ConsentStatus.SOURCE_NOT_ACCEPTABLE);
      assertThat(v.reasons()).contains("IMPLICIT_NOT_ACCEPTED_BY_PROFILE:w1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"CHECKBOX_OPT_IN", "NEWSLETTER_SIGNUP"})
    @DisplayName("strict: checkbox and newsletter signup without confirmation -> PENDING_CONFIRMATION (CONFIRMATION_REQUIRED_BY_PROFILE)")
    void strictNeedsConfirmation(EvidenceKind kind) {
      Verdict v = strict(LATER, ev("g1", kind, day(1)));
      assertVerdict(v, ConsentStatus.PENDING_CONFIRMATION);
      assertThat(v.reasons()).contains("CONFIRMATION_REQUIRED_BY_PROFILE:g1");
      assertThat(v.evidenceIds()).contains("g1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"CHECKBOX_OPT_IN", "NEWSLETTER_SIGNUP"})
    @DisplayName("strict: checkbox and newsletter signup followed by DOUBLE_OPT_IN_CONFIRMED -> CONSENTED_EXPLICIT")
    void strictConfirmed(EvidenceKind kind) {
      Verdict v = strict(LATER, ev("g1", kind, day(1)), ev("k1", DOUBLE_OPT_IN_CONFIRMED, day(2)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.reasons()).doesNotContain("CONFIRMATION_REQUIRED_BY_PROFILE:g1");
    }

    @Test
    @DisplayName("strict: an unverifiable confirmation does not confirm")
    void strictUnverifiableConfirmation() {
      Verdict v = strict(LATER, ev("g1", CHECKBOX_OPT_IN, day(1)), unproven("k1", DOUBLE_OPT_IN_CONFIRMED, day(2)));
      assertVerdict(v, ConsentStatus.PENDING_CONFIRMATION);
    }

    @Test
    @DisplayName("strict: a checkbox is pending until its confirmation is recorded")
    void strictPendingUntilConfirmed() {
      Evidence c = ev("g1", CHECKBOX_OPT_IN, day(1));
      Evidence k = ev("k1", DOUBLE_OPT_IN_CONFIRMED, day(5));
      assertVerdict(strict(day(3), c), ConsentStatus.PENDING_CONFIRMATION);
      assertVerdict(strict(day(5), c, k), ConsentStatus.CONSENTED_EXPLICIT);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EvidenceKind.class, names = {"WRITTEN_CONSENT", "RECONFIRMED", "DOUBLE_OPT_IN_CONFIRMED"})
    @DisplayName("strict: written consent, reconfirmation and confirmation count directly")
    void strictCountsDirectly(EvidenceKind kind) {
      Verdict v = strict(LATER, ev("g1", kind, day(1)));
      assertVerdict(v, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.evidenceIds()).containsExactly("g1");
    }

    @Test
    @DisplayName("strict: an unconfirmed checkbox after a withdrawal leaves WITHDRAWN (decision of the code)")
    void strictUnconfirmedCheckboxAfterWithdrawal() {
      Verdict v = strict(LATER, ev("u1", UNSUBSCRIBE, day(1)), ev("c1", CHECKBOX_OPT_IN, day(2)));
      assertVerdict(v, ConsentStatus.WITHDRAWN);
    }

    @Test
    @DisplayName("strict: withdrawal still wins over explicit grants before it")
    void strictWithdrawalWins() {
      assertVerdict(strict(LATER, ev("w1", WRITTEN_CONSENT, day(1)), ev("u1", SPAM_COMPLAINT, day(2))),
          ConsentStatus.WITHDRAWN);
    }

    @Test
    @DisplayName("the profile is chosen per brand in configuration, with a default for the others")
    void profilePerBrand() {
      PolicySettings perBrand = new PolicySettings(Profile.OPTIN, Map.of(BRAND, Profile.STRICT), RoleAddresses.defaults());
      Verdict acme = decide(perBrand, state(contact(), ev("w1", WEBSITE_FORM, day(1))), LATER);
      assertVerdict(acme, ConsentStatus.NO_CONSENT);
      assertThat(acme.policy()).isEqualTo("strict/1");

      Contact globexContact = new Contact("c-2", OTHER_BRAND, EMAIL, ContactSource.OWN_CHANNEL, T0);
      Evidence globexForm = new Evidence("w2", "c-2", OTHER_BRAND, WEBSITE_FORM, day(1), "form-1");
      Verdict globex = decide(perBrand, ConsentState.EMPTY.with(globexContact).with(globexForm), LATER);
      assertVerdict(globex, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(globex.policy()).isEqualTo("optin/1");
    }

    @Test
    @DisplayName("a brand can opt back into optin when the default profile is strict")
    void brandOverridesStrictDefault() {
      PolicySettings perBrand = new PolicySettings(Profile.STRICT, Map.of(BRAND, Profile.OPTIN), RoleAddresses.defaults());
      Verdict v = decide(perBrand, state(contact(), ev("w1", WEBSITE_FORM, day(1))), LATER);
      assertVerdict(v, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.policy()).isEqualTo("optin/1");
    }

    @Test
    @DisplayName("every verdict names the profile and its version: optin/1 by default, strict/1 under strict")
    void policyField() {
      assertThat(optin(LATER).policy()).isEqualTo("optin/1");
      assertThat(strict(LATER).policy()).isEqualTo("strict/1");
      assertThat(decide(OPTIN, state(contact("bad")), LATER).policy()).isEqualTo("optin/1");
      assertThat(decide(STRICT, state(contact("info@example.org")), LATER).policy()).isEqualTo("strict/1");
      assertThat(PolicySettings.defaults().defaultProfile()).isEqualTo(Profile.OPTIN);
    }

    @Test
    @DisplayName("Profile.byName knows optin and strict")
    void byNameKnowsProfiles() {
      assertThat(Profile.byName("optin")).isEqualTo(Profile.OPTIN);
      assertThat(Profile.byName("strict")).isEqualTo(Profile.STRICT);
      assertThat(Profile.byName(" Strict ")).isEqualTo(Profile.STRICT);
    }

    @Test
    @DisplayName("Profile.byName rejects unknown names with a message naming the known ones")
    void byNameRejectsUnknown() {
      assertThatThrownBy(() -> Profile.byName("lenient"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("lenient")
          .hasMessageContaining("optin")
          .hasMessageContaining("strict");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Recommendations (advice, not decisions)")
  class Recommendations {

    @Test
    @DisplayName("with implicit consent: ask for explicit consent")
    void implicitAsksForExplicit() {
      Verdict v = optin(LATER, ev("p1", PURCHASE, day(1)));
      assertThat(v.recommendations()).containsExactly(Recommendation.ASK_FOR_EXPLICIT_CONSENT.name());
    }

    @Test
    @DisplayName("employer list without a grant: write one-to-one and use double opt-in")
    void employerList() {
      Verdict v = decide(OPTIN, state(contact(ContactSource.EMPLOYER_LIST)), LATER);
      assertThat(v.recommendations()).containsExactly(Recommendation.WRITE_ONE_TO_ONE_AND_USE_DOUBLE_OPT_IN.name());
    }

    @Test
    @DisplayName("after a merger: tell the contacts and let them reconfirm")
    void merger() {
      Verdict v = decide(OPTIN, state(contact(ContactSource.MERGER_ACQUISITION)), LATER);
      assertThat(v.recommendations()).containsExactly(Recommendation.NOTIFY_AND_ASK_TO_RECONFIRM.name());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ContactSource.class, names = {"MET_IN_PERSON", "INBOUND_EMAIL"})
    @DisplayName("people met in person or who emailed you: point them to a signup form")
    void pointToSignupForm(ContactSource source) {
      Verdict v = decide(OPTIN, state(contact(source)), LATER);
      assertThat(v.recommendations()).containsExactly(Recommendation.POINT_TO_SIGNUP_FORM.name());
    }

    @Test
    @DisplayName("no advice with explicit consent")
    void noneForExplicit() {
      assertThat(optin(LATER, ev("c1", CHECKBOX_OPT_IN, day(1))).recommendations()).isEmpty();
      Verdict employer = decide(OPTIN, state(contact(ContactSource.EMPLOYER_LIST), ev("c1", RECONFIRMED, day(1))), LATER);
      assertThat(employer.recommendations()).isEmpty();
    }

    @Test
    @DisplayName("advice never changes the decision")
    void adviceDoesNotChangeDecision() {
      Verdict v = decide(OPTIN, state(contact(ContactSource.MET_IN_PERSON)), LATER);
      assertVerdict(v, ConsentStatus.NEEDS_VERIFICATION);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Verdict fields")
  class VerdictFields {

    @Test
    @DisplayName("decidedAt is asOf; contactId, brandId and email are the contact's")
    void copiedFields() {
      Instant asOf = at("2024-07-01T12:34:56.789Z");
      Contact c = new Contact("c-42", "brand-x", "Zoe+tag@Example.org", ContactSource.MANUAL_ENTRY, T0);
      Evidence e = new Evidence("e-7", "c-42", "brand-x", WRITTEN_CONSENT, day(1), "doc-1");
      Verdict v = new ConsentPolicy(OPTIN).decide(ConsentState.EMPTY.with(c).with(e), asOf);
      assertThat(v.decidedAt()).isEqualTo(asOf);
      assertThat(v.contactId()).isEqualTo("c-42");
      assertThat(v.brandId()).isEqualTo("brand-x");
      assertThat(v.email()).isEqualTo("Zoe+tag@Example.org");
      assertThat(v.evidenceIds()).containsExactly("e-7");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ConsentStatus.class)
    @DisplayName("reasons[0] is the status name")
    void firstReasonIsStatus(ConsentStatus status) {
      assertThat(verdictWithStatus(status).reasons()).first().isEqualTo(status.name());
    }

    @Test
    @DisplayName("evidenceIds of WITHDRAWN name the latest withdrawal")
    void withdrawnNamesLatestWithdrawal() {
      Verdict v = optin(LATER, ev("s1", SPAM_COMPLAINT, day(1)), ev("c1", CHECKBOX_OPT_IN, day(2)),
          ev("u1", UNSUBSCRIBE, day(3)), unproven("u2", UNSUBSCRIBE, day(4)));
      assertThat(v.evidenceIds()).containsExactly("u2");
    }

    @Test
    @DisplayName("a verdict without a grant names no evidence")
    void noGrantNoEvidenceIds() {
      assertThat(optin(LATER, unproven("c1", CHECKBOX_OPT_IN, day(1)), otherBrand("c2", WRITTEN_CONSENT, day(1)))
          .evidenceIds()).isEmpty();
    }

    @Test
    @DisplayName("validUntil is null for every status but CONSENTED_IMPLICIT")
    void validUntilOnlyForImplicit() {
      for (ConsentStatus s : ConsentStatus.values()) {
        if (s != ConsentStatus.CONSENTED_IMPLICIT) {
          assertThat(verdictWithStatus(s).validUntil()).as(s.name()).isNull();
        }
      }
    }

    @Test
    @DisplayName("decide() on a state without a contact throws IllegalArgumentException")
    void noContactThrows() {
      ConsentPolicy policy = new ConsentPolicy(OPTIN);
      assertThatThrownBy(() -> policy.decide(ConsentState.EMPTY, LATER)).isInstanceOf(IllegalArgumentException.class);
      ConsentState evidenceOnly = ConsentState.EMPTY.with(ev("c1", CHECKBOX_OPT_IN, day(1)));
      assertThatThrownBy(() -> policy.decide(evidenceOnly, LATER)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
