package io.baton.contracts.facts;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one codec between fact records and the routing slip's facts, which travel as strings by name so that the wire
 * stays what version 1 consumers read: each record component is one fact under its own name; a number or a boolean
 * in its decimal or {@code true}/{@code false} form; a list joined with {@code ", "}; a {@link ServerRef} as
 * {@code name=address}.
 */
public final class Facts {

    private static final String SEPARATOR = ", ";

    private Facts() {}

    /** The facts of a record, by name, in component order. */
    public static Map<String, String> write(StepFacts facts) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!(facts instanceof Record record)) {
            throw new IllegalArgumentException(facts.getClass().getName() + " is not a record of facts");
        }
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + record, e);
            }
            if (value != null) {
                out.put(c.getName(), encode(value));
            }
        }
        return out;
    }

    /** Reads a record from the slip's facts; fails, naming the fact, when one it needs is missing or malformed. */
    public static <T extends StepFacts> T read(Map<String, String> facts, Class<T> type) {
        return find(facts, type)
                .orElseThrow(() -> new IllegalStateException(
                        "the routing slip has no fact '" + missing(facts, type) + "' (" + type.getSimpleName() + ")"));
    }

    /** Reads a record from the slip's facts when every fact it needs is there. */
    public static <T extends StepFacts> Optional<T> find(Map<String, String> facts, Class<T> type) {
        RecordComponent[] components = type.getRecordComponents();
        if (components == null) {
            throw new IllegalArgumentException(type.getName() + " is not a record of facts");
        }
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String text = facts.get(c.getName());
            if (text == null) {
                return Optional.empty();
            }
            try {
                values[i] = decode(text, c.getGenericType());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "the fact '" + c.getName() + "' is not a " + c.getType().getSimpleName() + ": '" + text + "'",
                        e);
            }
            types[i] = c.getType();
        }
        try {
            Constructor<T> constructor = type.getDeclaredConstructor(types);
            return Optional.of(constructor.newInstance(values));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + type.getSimpleName() + " of " + facts, e);
        }
    }

    private static String missing(Map<String, String> facts, Class<?> type) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (!facts.containsKey(c.getName())) {
                return c.getName();
            }
        }
        return "?";
    }

    private static String encode(Object value) {
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                items.add(encode(item));
            }
            return String.join(SEPARATOR, items);
        }
        if (value instanceof ServerRef server) {
            return server.name() + "=" + server.address();
        }
        return value.toString();
    }

    private static Object decode(String text, Type type) {
        if (type instanceof ParameterizedType list && list.getRawType() == List.class) {
            Type item = list.getActualTypeArguments()[0];
            List<Object> items = new ArrayList<>();
            if (!text.isBlank()) {
                for (String part : text.split(",")) {
                    items.add(decode(part.strip(), item));
                }
            }
            return List.copyOf(items);
        }
        if (type == String.class) {
            return text;
        }
        if (type == int.class || type == Integer.class) {
            return Integer.parseInt(text);
        }
        if (type == long.class || type == Long.class) {
            return Long.parseLong(text);
        }
        if (type == boolean.class || type == Boolean.class) {
            if (!text.equals("true") && !text.equals("false")) {
                throw new IllegalArgumentException("neither true nor false");
            }
            return Boolean.parseBoolean(text);
        }
        if (type == ServerRef.class) {
            int eq = text.indexOf('=');
            return eq < 0 ? new ServerRef(text, "") : new ServerRef(text.substring(0, eq), text.substring(eq + 1));
        }
        throw new IllegalArgumentException("facts of type " + type.getTypeName() + " have no codec");
    }
}
