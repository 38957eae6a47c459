package io.baton.contracts.facts;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;

/** A record of facts with a value in every component, for round trips. */
final class Samples {

    private Samples() {}

    static StepFacts of(Class<? extends StepFacts> type) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(components[i], i);
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object value(RecordComponent c, int i) {
        Class<?> t = c.getType();
        if (t == String.class) {
            return c.getName() + "-" + i;
        }
        if (t == int.class) {
            return i + 1;
        }
        if (t == long.class) {
            return 1000L + i;
        }
        if (t == boolean.class) {
            return i % 2 == 0;
        }
        if (t == List.class) {
            var item = ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0];
            return item == ServerRef.class
                    ? List.of(new ServerRef("app-1", "127.0.10.1:8080"), new ServerRef("app-2", "127.0.10.2:8080"))
                    : List.of("a", "b");
        }
        throw new IllegalArgumentException("no sample for " + t);
    }
}
