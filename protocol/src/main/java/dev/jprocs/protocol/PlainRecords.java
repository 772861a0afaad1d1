package dev.jprocs.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Set;

/**
 * Turns a plain record into the tree databind would make of it, without databind: one field per
 * component in declaration order, a null component left out (the codec's NON_NULL). Plain means
 * nothing databind could read differently: no annotations on the record or its components, no
 * other getter-like method, and every component an int, long, double, boolean, their boxes, a
 * String or a JsonNode. Any other value is not plain, and the codec gives it to databind. Task
 * outputs are mostly such records (align's, sleep's, randstring's), so a worker can answer without
 * building an {@code ObjectMapper}. Thread-safe.
 */
final class PlainRecords {
  private static final Set<Class<?>> PLAIN_TYPES = Set.of(int.class, long.class, double.class,
      boolean.class, Integer.class, Long.class, Double.class, Boolean.class, String.class,
      JsonNode.class);

  /** Per record class: its component accessors, or none when the class is not plain. */
  private static final ClassValue<List<Method>> ACCESSORS = new ClassValue<>() {
    @Override
    protected List<Method> computeValue(Class<?> type) {
      return plainAccessors(type);
    }
  };

  private PlainRecords() {}

  /** Returns the tree of {@code value}, or null when it is not a plain record. */
  static JsonNode toTree(Object value) {
    List<Method> accessors = ACCESSORS.get(value.getClass());
    if (accessors.isEmpty()) {
      return null;
    }
    ObjectNode tree = JsonNodeFactory.instance.objectNode();
    try {
      for (Method accessor : accessors) {
        Object component = accessor.invoke(value);
        if (component instanceof JsonNode node && (node.isNull() || node.isMissingNode())) {
          return null; // whether NON_NULL drops a JSON null is databind's call
        }
        if (component != null) {
          tree.set(accessor.getName(), Codec.toTree(component));
        }
      }
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null; // databind calls it again and says what went wrong
    }
    return tree;
  }

  private static List<Method> plainAccessors(Class<?> type) {
    if (!type.isRecord() || type.getAnnotations().length > 0) {
      return List.of();
    }
    RecordComponent[] components = type.getRecordComponents();
    Method[] accessors = new Method[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent component = components[i];
      Method accessor = component.getAccessor();
      String name = component.getName();
      if (!PLAIN_TYPES.contains(component.getType()) || component.getAnnotations().length > 0
          || accessor.getAnnotations().length > 0 || looksLikeGetter(name)) {
        return List.of();
      }
      try {
        accessor.setAccessible(true); // a task's record may be private, as databind allows
      } catch (RuntimeException e) {
        return List.of();
      }
      accessors[i] = accessor;
    }
    for (Method method : type.getMethods()) {
      // Databind would also write a getFoo() or isFoo() as a property, and see annotations on
      // fields and methods the record has beyond its components: leave all that to it.
      if (!Modifier.isStatic(method.getModifiers()) && method.getParameterCount() == 0
          && looksLikeGetter(method.getName()) && !method.getName().equals("getClass")) {
        return List.of();
      }
    }
    for (var field : type.getDeclaredFields()) {
      if (field.getAnnotations().length > 0) {
        return List.of();
      }
    }
    return components.length == 0 ? List.of() : List.of(accessors);
  }

  private static boolean looksLikeGetter(String name) {
    return name.startsWith("get") || name.startsWith("is");
  }
}
