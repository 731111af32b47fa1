package io.consentgate.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link KafkaStack} per test class, for a static field:
 *
 * <pre>
 *   &#64;ExtendWith(KafkaStackExtension.class)
 *   static KafkaStack stack;
 * </pre>
 *
 * starts the stack in a temp dir of its own before the class's {@code @BeforeAll} methods and sets
 * the field; after the class's {@code @AfterAll} methods it closes the stack and deletes the dir.
 * The tests' own files go in JUnit's {@code @TempDir}, as usual.
 */
final class KafkaStackExtension implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaStackExtension.class);

  /** What one test class started: closed and deleted after it. */
  private record Started(KafkaStack stack, Path dir, List<Field> fields) {}

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    List<Field> fields = stackFields(context.getRequiredTestClass());
    Path dir = Files.createTempDirectory("kafka-stack");
    KafkaStack stack = new KafkaStack(dir);
    context.getStore(NAMESPACE).put(Started.class, new Started(stack, dir, fields));
    for (Field field : fields) {
      field.set(null, stack);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Started started = context.getStore(NAMESPACE).remove(Started.class, Started.class);
    if (started == null) {
      return; // beforeAll failed before it started anything
    }
    for (Field field : started.fields()) {
      field.set(null, null);
    }
    try {
      started.stack().close();
    } finally {
      try {
        Utils.delete(started.dir().toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The static KafkaStack fields of the class (and its superclasses); at least one. */
  private static List<Field> stackFields(Class<?> testClass) {
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (field.getType() == KafkaStack.class && Modifier.isStatic(field.getModifiers())
            && !Modifier.isFinal(field.getModifiers())) {
          field.setAccessible(true);
          fields.add(field);
        }
      }
    }
    if (fields.isEmpty()) {
      throw new ExtensionConfigurationException(testClass.getName()
          + " uses KafkaStackExtension but has no static, non-final KafkaStack field to receive the stack");
    }
    return fields;
  }
}
