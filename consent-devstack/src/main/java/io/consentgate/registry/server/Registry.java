package io.consentgate.registry.server;

import io.consentgate.registry.IncompatibleSchemaException;
import io.consentgate.registry.RegistryUnreachableException;
import io.consentgate.registry.RestClientException;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.SubjectVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subjects, their versions, the global schema ids and the compatibility levels. Every change is
 * appended to the storage before it takes effect, and the state at start is the replay of the
 * storage, so ids and version numbers are the same after a restart. One lock: registrations must
 * see each other to hand out ids and versions once.
 */
final class Registry {

  /** The version number that means "the latest", as in Confluent's API. */
  static final int LATEST = -1;

  private static final Logger log = LoggerFactory.getLogger(Registry.class);

  private final RegistryStorage storage;
  /**
   * Per subject its versions, live and soft-deleted: a soft-deleted number is not reused, as in
   * Confluent; a permanently deleted one is gone and may be.
   */
  private final Map<String, NavigableMap<Integer, Stored>> subjects = new TreeMap<>();
  /** The schemas of the ids some stored version (live or soft-deleted) uses. */
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  /**
   * The id of every schema stored since the start, permanently deleted ones included, so the same
   * schema gets its id back, as in Confluent (until compaction drops its records).
   */
  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.DEFAULT;
  private int highestId;

  Registry(RegistryStorage storage) {
    this.storage = storage;
    List<RegistryEntry> entries = storage.load();
    entries.forEach(this::apply);
    log.info("Schema registry state rebuilt from {} stored entries: {} subjects, {} schema ids", entries.size(),
        subjects.size(), schemasById.size());
  }

  /** A stored version and whether it is soft-deleted. */
  private record Stored(SubjectVersion version, boolean deleted) {}

  /**
   * What makes two schemas "the same schema": Avro's compact JSON rendering, which ignores
   * whitespace and key order but keeps docs, defaults and logical types, like Confluent's
   * canonical string. Avro's Parsing Canonical Form would also merge schemas that differ only in
   * defaults or logical types, and then serve readers the text of whichever came first.
   */
  static String canonical(Schema schema) {
    return schema.toString();
  }

  /** Registers {@code schema} under {@code subject}, or finds it there; a schema known under any subject keeps its id. */
  synchronized SubjectVersion register(String subject, Schema schema) {
    String text = canonical(schema);
    List<SubjectVersion> versions = liveVersions(subject);
    Optional<SubjectVersion> existing = versions.stream().filter(v -> canonical(v.schema()).equals(text)).findFirst();
    if (existing.isPresent()) {
      return existing.get();
    }
    List<String> problems = compatibilityLevel(subject).incompatibilities(schema, versions);
    if (!problems.isEmpty()) {
      throw RegistryException.incompatibleSchema(subject, problems);
    }
    int id = idsBySchema.getOrDefault(text, highestId + 1);
    NavigableMap<Integer, Stored> stored = subjects.get(subject);
    int version = stored == null ? 1 : stored.lastKey() + 1;
    store(new RegistryEntry.SchemaVersion(subject, version, id, text, false));
    log.info("Registered subject '{}' version {} as schema id {}", subject, version, id);
    return subjects.get(subject).get(version).version();
  }

  /**
   * The newest version of {@code subject} that is {@code schema}, among the live ones or, with
   * {@code includeDeleted}, the soft-deleted ones too.
   */
  synchronized Found lookUp(String subject, Schema schema, boolean includeDeleted) {
    String text = canonical(schema);
    return stored(subject).descendingMap().values().stream()
        .filter(s -> includeDeleted || !s.deleted())
        .filter(s -> canonical(s.version().schema()).equals(text))
        .findFirst().map(Registry::found)
        .orElseThrow(() -> hasSubject(subject, includeDeleted) ? RegistryException.schemaNotFound()
            : RegistryException.subjectNotFound(subject));
  }

  /** Which subjects {@link #subjects} lists, as Confluent's {@code deleted} and {@code deletedOnly}. */
  enum Filter {
    /** Live ones only. */
    LIVE,
    /** Live and soft-deleted ones. */
    ALL,
    /** Soft-deleted ones only: for subjects, those whose every version is soft-deleted. */
    DELETED;

    static Filter of(boolean deleted, boolean deletedOnly) {
      return deletedOnly ? DELETED : deleted ? ALL : LIVE;
    }

    boolean accepts(boolean isDeleted) {
      return this == ALL || isDeleted == (this == DELETED);
    }
  }

  /** The subjects, in order; a subject counts as deleted when all its versions are. */
  synchronized List<String> subjects(Filter filter) {
    return subjects.entrySet().stream()
        .filter(e -> filter.accepts(e.getValue().values().stream().allMatch(Stored::deleted)))
        .map(Map.Entry::getKey).toList();
  }

  /** The version numbers of {@code subject}; 40401 if it has none that {@code filter} could list. */
  synchronized List<Integer> versions(String subject, Filter filter) {
    if (!hasSubject(subject, filter != Filter.LIVE)) {
      throw RegistryException.subjectNotFound(subject);
    }
    return stored(subject).values().stream().filter(s -> filter.accepts(s.deleted())).map(s -> s.version().version()).toList();
  }

  /** A version as the registry answers it: with whether it is soft-deleted. */
  record Found(SubjectVersion version, boolean deleted) {}

  /**
   * {@code version} of {@code subject}, or its latest live one for {@link #LATEST}; a soft-deleted
   * one only with {@code includeDeleted}.
   */
  synchronized Found version(String subject, int version, boolean includeDeleted) {
    return find(subject, version, includeDeleted).map(Registry::found).orElseThrow(() ->
        hasSubject(subject, includeDeleted) ? RegistryException.versionNotFound(version) : RegistryException.subjectNotFound(subject));
  }

  /**
   * Ids stay resolvable after their subjects are soft-deleted: records written with them may still
   * be read. Once no version uses an id any more, its versions all deleted permanently, it no
   * longer resolves, as in Confluent.
   */
  synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw RegistryException.schemaNotFound(id);
    }
    return schema;
  }

  /** The live subject versions that use schema {@code id}. */
  synchronized List<SubjectVersion> versionsUsing(int id) {
    schemaById(id);
    List<SubjectVersion> using = new ArrayList<>();
    subjects.values().forEach(versions -> versions.values().stream().filter(s -> !s.deleted() && s.version().id() == id)
        .forEach(s -> using.add(s.version())));
    return using;
  }

  /**
   * What a compatibility check without a version is made against: what registration checks, the
   * live versions, oldest first, of which the level takes the latest or, if transitive, all.
   * An unknown subject has none, and accepts anything.
   */
  synchronized List<SubjectVersion> compatibilityHistory(String subject) {
    return liveVersions(subject);
  }

  /**
   * What a compatibility check against {@code version} is made against: that live version alone,
   * or the latest live one for {@link #LATEST} (none if there is none: anything goes). A version
   * that is not live is 40402 even if the subject is unknown, as Confluent answers.
   */
  synchronized List<SubjectVersion> compatibilityHistory(String subject, int version) {
    Optional<Stored> against = find(subject, version, false);
    if (against.isEmpty() && version != LATEST) {
      throw RegistryException.versionNotFound(version);
    }
    return against.map(s -> List.of(s.version())).orElse(List.of());
  }

  /** Why {@code candidate} may not follow {@code history} at the level of {@code subject}. */
  synchronized List<String> incompatibilities(String subject, Schema candidate, List<SubjectVersion> history) {
    return compatibilityLevel(subject).incompatibilities(candidate, history);
  }

  synchronized CompatibilityLevel globalLevel() {
    return globalLevel;
  }

  synchronized void setGlobalLevel(CompatibilityLevel level) {
    store(new RegistryEntry.CompatibilityConfig(null, level));
    log.info("Global compatibility level set to {}", level);
  }

  /** Back to the default level; returns the level it had. */
  synchronized CompatibilityLevel resetGlobalLevel() {
    CompatibilityLevel previous = globalLevel;
    store(new RegistryEntry.CompatibilityConfig(null, null));
    log.info("Global compatibility level reset to {}", globalLevel);
    return previous;
  }

  synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  synchronized void setSubjectLevel(String subject, CompatibilityLevel level) {
    store(new RegistryEntry.CompatibilityConfig(subject, level));
    log.info("Compatibility level of subject '{}' set to {}", subject, level);
  }

  /** Removes the subject's own level, so the global one applies; returns the level it had. */
  synchronized CompatibilityLevel deleteSubjectLevel(String subject) {
    CompatibilityLevel previous = subjectLevels.get(subject);
    if (previous == null) {
      throw RegistryException.subjectNotFound(subject);
    }
    store(new RegistryEntry.CompatibilityConfig(subject, null));
    log.info("Compatibility level of subject '{}' removed", subject);
    return previous;
  }

  synchronized CompatibilityLevel compatibilityLevel(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  /**
   * Deletes {@code subject}, as Confluent's KafkaSchemaRegistry.deleteSubject: softly, its live
   * versions; permanently, every version once all are soft-deleted, and its compatibility level.
   * Returns the numbers of the versions deleted.
   */
  synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
    if (!hasSubject(subject, true)) {
      throw RegistryException.subjectNotFound(subject);
    }
    if (!permanent) {
      List<SubjectVersion> versions = liveVersions(subject);
      if (versions.isEmpty()) {
        throw RegistryException.subjectSoftDeleted(subject);
      }
      versions.forEach(this::storeSoftDelete);
      log.info("Soft-deleted subject '{}' ({} versions)", subject, versions.size());
      return versions.stream().map(SubjectVersion::version).toList();
    }
    List<Stored> versions = List.copyOf(stored(subject).values());
    if (versions.stream().anyMatch(s -> !s.deleted())) {
      throw RegistryException.subjectNotSoftDeleted(subject);
    }
    // Newest first, as Confluent writes its tombstones.
    for (int i = versions.size() - 1; i >= 0; i--) {
      store(new RegistryEntry.HardDeletedVersion(subject, versions.get(i).version().version()));
    }
    if (subjectLevels.containsKey(subject)) {
      store(new RegistryEntry.CompatibilityConfig(subject, null));
    }
    log.info("Permanently deleted subject '{}' ({} versions)", subject, versions.size());
    return versions.stream().map(s -> s.version().version()).toList();
  }

  /**
   * Deletes {@code version} of {@code subject} ({@link #LATEST}: the latest live one), as
   * Confluent's KafkaSchemaRegistry.deleteSchemaVersion: softly if live; permanently once
   * soft-deleted, and with it the subject's compatibility level if no version is left. Returns the
   * number of the version deleted.
   */
  synchronized int deleteVersion(String subject, int version, boolean permanent) {
    Optional<Stored> found = find(subject, version, true);
    if (found.isEmpty()) {
      throw hasSubject(subject, true) ? RegistryException.versionNotFound(version) : RegistryException.subjectNotFound(subject);
    }
    Stored stored = found.get();
    int number = stored.version().version();
    if (!permanent) {
      if (stored.deleted()) {
        throw RegistryException.versionSoftDeleted(subject, number);
      }
      storeSoftDelete(stored.version());
      log.info("Soft-deleted subject '{}' version {}", subject, number);
      return number;
    }
    if (!stored.deleted()) {
      throw RegistryException.versionNotSoftDeleted(subject, number);
    }
    store(new RegistryEntry.HardDeletedVersion(subject, number));
    if (!subjects.containsKey(subject) && subjectLevels.containsKey(subject)) {
      store(new RegistryEntry.CompatibilityConfig(subject, null));
    }
    log.info("Permanently deleted subject '{}' version {}", subject, number);
    return number;
  }

  private void storeSoftDelete(SubjectVersion v) {
    store(new RegistryEntry.SchemaVersion(v.subject(), v.version(), v.id(), canonical(v.schema()), true));
  }

  private NavigableMap<Integer, Stored> stored(String subject) {
    NavigableMap<Integer, Stored> stored = subjects.get(subject);
    return stored == null ? new TreeMap<>() : stored;
  }

  /** Whether {@code subject} has a live version, or with {@code includeDeleted} any version at all. */
  private boolean hasSubject(String subject, boolean includeDeleted) {
    return stored(subject).values().stream().anyMatch(s -> includeDeleted || !s.deleted());
  }

  /** Live versions, oldest first. */
  private List<SubjectVersion> liveVersions(String subject) {
    return stored(subject).values().stream().filter(s -> !s.deleted()).map(Stored::version).toList();
  }

  /**
   * {@code version} of {@code subject} if it is stored, and live unless {@code includeDeleted};
   * {@link #LATEST} is the latest live version, whatever {@code includeDeleted} says, as Confluent's
   * AbstractSchemaRegistry.get.
   */
  private Optional<Stored> find(String subject, int version, boolean includeDeleted) {
    NavigableMap<Integer, Stored> stored = stored(subject);
    if (version == LATEST) {
      return stored.descendingMap().values().stream().filter(s -> !s.deleted()).findFirst();
    }
    return Optional.ofNullable(stored.get(version)).filter(s -> includeDeleted || !s.deleted());
  }

  private static Found found(Stored stored) {
    return new Found(stored.version(), stored.deleted());
  }

  private void store(RegistryEntry entry) {
    try {
      storage.append(entry);
    } catch (RegistryStorageException e) {
      log.error("Could not store a registry change for subject '{}'", entry.subject(), e);
      throw RegistryException.storeError(e.getMessage());
    }
    apply(entry);
  }

  private void apply(RegistryEntry entry) {
    if (entry instanceof RegistryEntry.SchemaVersion stored) {
      Schema schema = schemasById.computeIfAbsent(stored.id(), id -> parseStored(stored));
      idsBySchema.putIfAbsent(canonical(schema), stored.id());
      highestId = Math.max(highestId, stored.id());
      subjects.computeIfAbsent(stored.subject(), s -> new TreeMap<>()).put(stored.version(),
          new Stored(new SubjectVersion(stored.subject(), stored.version(), stored.id(), schema), stored.deleted()));
    } else if (entry instanceof RegistryEntry.HardDeletedVersion gone) {
      NavigableMap<Integer, Stored> versions = subjects.get(gone.subject());
      Stored removed = versions == null ? null : versions.remove(gone.version());
      if (removed == null) {
        return; // a tombstone whose records compaction already dropped
      }
      if (versions.isEmpty()) {
        subjects.remove(gone.subject());
      }
      int id = removed.version().id();
      if (subjects.values().stream().flatMap(v -> v.values().stream()).noneMatch(s -> s.version().id() == id)) {
        schemasById.remove(id);
      }
    } else {
      // RegistryEntry is sealed: the only other kind is a compatibility level.
      RegistryEntry.CompatibilityConfig config = (RegistryEntry.CompatibilityConfig) entry;
      if (config.subject() == null) {
        globalLevel = config.level() == null ? CompatibilityLevel.DEFAULT : config.level();
      } else if (config.level() == null) {
        subjectLevels.remove(config.subject());
      } else {
        subjectLevels.put(config.subject(), config.level());
      }
    }
  }

  private static Schema parseStored(RegistryEntry.SchemaVersion stored) {
    try {
      return new Schema.Parser().parse(stored.schema());
    } catch (RuntimeException e) {
      throw new IllegalStateException("stored schema id " + stored.id() + " (subject '" + stored.subject() + "' version "
          + stored.version() + ") does not parse any more: " + e.getMessage(), e);
    }
  }
}
