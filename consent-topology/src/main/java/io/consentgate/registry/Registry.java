package io.consentgate.registry;

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
  private final Map<String, NavigableMap<Integer, SubjectVersion>> liveVersions = new TreeMap<>();
  /** Per subject the highest version ever stored, deleted ones included: numbers are never reused. */
  private final Map<String, Integer> highestVersions = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.DEFAULT;
  private int highestId;

  Registry(RegistryStorage storage) {
    this.storage = storage;
    List<RegistryEntry> entries = storage.load();
    entries.forEach(this::apply);
    log.info("Schema registry state rebuilt from {} stored entries: {} subjects, {} schema ids", entries.size(),
        liveVersions.size(), schemasById.size());
  }

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
    List<SubjectVersion> versions = liveVersions(subject);
    Optional<SubjectVersion> existing = find(versions, schema);
    if (existing.isPresent()) {
      return existing.get();
    }
    CompatibilityLevel level = compatibilityLevel(subject);
    List<String> problems = level.incompatibilities(schema, level.versionsToCheck(versions));
    if (!problems.isEmpty()) {
      throw RegistryException.incompatibleSchema(subject, problems);
    }
    String text = canonical(schema);
    int id = idsBySchema.getOrDefault(text, highestId + 1);
    int version = highestVersions.getOrDefault(subject, 0) + 1;
    store(new RegistryEntry.SchemaVersion(subject, version, id, text, false));
    log.info("Registered subject '{}' version {} as schema id {}", subject, version, id);
    return liveVersions.get(subject).get(version);
  }

  /** The version of {@code subject} that is {@code schema}. */
  synchronized SubjectVersion lookUp(String subject, Schema schema) {
    return find(existingVersions(subject), schema).orElseThrow(RegistryException::schemaNotFound);
  }

  synchronized List<String> subjects() {
    return List.copyOf(liveVersions.keySet());
  }

  synchronized List<Integer> versions(String subject) {
    return existingVersions(subject).stream().map(SubjectVersion::version).toList();
  }

  /** {@code version} of {@code subject}, or its latest for {@link #LATEST}. */
  synchronized SubjectVersion version(String subject, int version) {
    NavigableMap<Integer, SubjectVersion> versions = liveVersions.get(subject);
    if (versions == null) {
      throw RegistryException.subjectNotFound(subject);
    }
    SubjectVersion found = version == LATEST ? versions.lastEntry().getValue() : versions.get(version);
    if (found == null) {
      throw RegistryException.versionNotFound(version);
    }
    return found;
  }

  /** Ids stay resolvable after their subjects are deleted: records written with them may still be read. */
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
    liveVersions.values().forEach(versions -> versions.values().stream().filter(v -> v.id() == id).forEach(using::add));
    return using;
  }

  /**
   * Why {@code candidate} could not be registered under {@code subject}: for {@link #LATEST}, the
   * check registration makes (a subject without versions accepts anything); for a given version,
   * against that version alone.
   */
  synchronized List<String> incompatibilities(String subject, int version, Schema candidate) {
    CompatibilityLevel level = compatibilityLevel(subject);
    if (version == LATEST) {
      return level.incompatibilities(candidate, level.versionsToCheck(liveVersions(subject)));
    }
    return level.incompatibilities(candidate, List.of(version(subject, version)));
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

  /** Deletes every version of {@code subject}; returns their numbers. */
  synchronized List<Integer> deleteSubject(String subject) {
    List<SubjectVersion> versions = existingVersions(subject);
    for (SubjectVersion v : versions) {
      store(new RegistryEntry.SchemaVersion(subject, v.version(), v.id(), canonical(v.schema()), true));
    }
    log.info("Deleted subject '{}' ({} versions)", subject, versions.size());
    return versions.stream().map(SubjectVersion::version).toList();
  }

  private List<SubjectVersion> liveVersions(String subject) {
    NavigableMap<Integer, SubjectVersion> versions = liveVersions.get(subject);
    return versions == null ? List.of() : List.copyOf(versions.values());
  }

  private List<SubjectVersion> existingVersions(String subject) {
    List<SubjectVersion> versions = liveVersions(subject);
    if (versions.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return versions;
  }

  private static Optional<SubjectVersion> find(List<SubjectVersion> versions, Schema schema) {
    String text = canonical(schema);
    return versions.stream().filter(v -> canonical(v.schema()).equals(text)).findFirst();
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
      highestVersions.merge(stored.subject(), stored.version(), Math::max);
      if (stored.deleted()) {
        NavigableMap<Integer, SubjectVersion> versions = liveVersions.get(stored.subject());
        if (versions != null) {
          versions.remove(stored.version());
          if (versions.isEmpty()) {
            liveVersions.remove(stored.subject());
          }
        }
      } else {
        liveVersions.computeIfAbsent(stored.subject(), s -> new TreeMap<>())
            .put(stored.version(), new SubjectVersion(stored.subject(), stored.version(), stored.id(), schema));
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
