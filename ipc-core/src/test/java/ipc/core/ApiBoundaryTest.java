package ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layout's two rules, checked so that a change cannot quietly break them:
 * <ul>
 *   <li>The user's API (every public type of {@code ipc.core} and the pinned types of
 *       {@code ipc.sync}) shows only its own types, the JDK's and slf4j's in what a user can see:
 *       public and protected members' signatures, supertypes, thrown exceptions. No Chronicle or
 *       Agrona type, and no type of the library's internal packages ({@code ipc.core.frame},
 *       {@code ipc.core.channel}, ...), which may change in any release.</li>
 *   <li>Only {@code ipc.core.channel.chronicle} touches Chronicle: no other main source names
 *       {@code net.openhft} outside a comment.</li>
 * </ul>
 */
class ApiBoundaryTest {
    /** The API's public types; each public type of the ipc.core package must be listed here or be BackendMain. */
    static final List<Class<?>> API = List.of(MessageObject.class, MessageProcess.class, AsyncBackMessageProcess.class,
        MainContext.class, Pipe.class, Select.class, SharedMemory.class, Transport.class, Journal.class,
        RestartPolicy.class, RemoteException.class, RemoteTimeoutException.class,
        ipc.sync.EventGroup.class, ipc.sync.SharedEvent.class, ipc.sync.SyncIndex.class, ipc.sync.Affinity.class,
        ipc.sync.NotEnoughEvents.class, ipc.sync.PeerGoneException.class, ipc.sync.SyncTimeoutException.class);

    /** Where an API signature's types may come from. */
    static boolean allowed(Class<?> c) {
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive()) {
            return true;
        }
        String p = c.getPackageName();
        return p.startsWith("java.") || p.equals("ipc.core") || p.equals("ipc.sync") || p.equals("org.slf4j")
            || p.equals("org.slf4j.event");
    }

    @Test
    void theApiShowsNoInternalOrDependencyType() {
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        List<Class<?>> types = new ArrayList<>(API);
        for (int k = 0; k < types.size(); k++) { // nested public types are API too
            for (Class<?> nested : types.get(k).getDeclaredClasses()) {
                if (Modifier.isPublic(nested.getModifiers()) || Modifier.isProtected(nested.getModifiers())) {
                    types.add(nested);
                }
            }
        }
        for (Class<?> type : types) {
            check(type + " extends", type.getGenericSuperclass(), leaks);
            for (Type i : type.getGenericInterfaces()) {
                check(type + " implements", i, leaks);
            }
            List<Member> members = new ArrayList<>();
            members.addAll(List.of(type.getDeclaredConstructors()));
            members.addAll(List.of(type.getDeclaredMethods()));
            members.addAll(List.of(type.getDeclaredFields()));
            for (Member m : members) {
                if (!visible(type, m) || m.isSynthetic()) {
                    continue;
                }
                checked++;
                String where = type.getSimpleName() + "." + m.getName();
                if (m instanceof Field f) {
                    check(where, f.getGenericType(), leaks);
                } else {
                    Executable e = (Executable) m;
                    if (e instanceof Method method) {
                        check(where + " returns", method.getGenericReturnType(), leaks);
                    }
                    for (Type p : e.getGenericParameterTypes()) {
                        check(where + " takes", p, leaks);
                    }
                    for (Type x : e.getGenericExceptionTypes()) {
                        check(where + " throws", x, leaks);
                    }
                }
            }
        }
        assertTrue(checked > 100, "checked only " + checked + " members: is the list of API types right?");
        assertEquals(List.of(), leaks, "internal or dependency types in the user's API");
    }

    @Test
    void everyPublicTypeOfTheRootPackageIsApi() throws IOException {
        Set<String> publicTypes = new TreeSet<>();
        Path root = mainSources().resolve("ipc/core");
        try (Stream<Path> files = Files.list(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String name = f.getFileName().toString().replace(".java", "");
                if (name.equals("package-info")) {
                    continue;
                }
                try {
                    Class<?> c = Class.forName("ipc.core." + name);
                    if (Modifier.isPublic(c.getModifiers())) {
                        publicTypes.add(name);
                    }
                } catch (ClassNotFoundException e) {
                    throw new AssertionError("no class for source " + f, e);
                }
            }
        }
        Set<String> api = new TreeSet<>();
        API.stream().filter(c -> c.getPackageName().equals("ipc.core")).forEach(c -> api.add(c.getSimpleName()));
        api.add("BackendMain"); // the backend JVM's main class: public for the launcher, one method, main(String[])
        assertEquals(api, publicTypes, "public types of ipc.core: the user's API (add a mechanism to a subpackage)");
        assertEquals(List.of("main"), Stream.of(BackendMain.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName).toList());
    }

    @Test
    void onlyTheChroniclePackageNamesChronicle() throws IOException {
        Path sources = mainSources();
        Pattern chronicle = Pattern.compile("\\bnet\\.openhft\\b");
        List<String> hits = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(sources)) {
            for (Path f : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                if (sources.relativize(f.getParent()).toString().equals("ipc/core/channel/chronicle")) {
                    continue;
                }
                String code = NoJavaSerializationTest.stripCommentsAndLiterals(Files.readString(f));
                Matcher m = chronicle.matcher(code);
                if (m.find()) {
                    hits.add(sources.relativize(f).toString());
                }
            }
        }
        assertTrue(files > 50, "read only " + files + " sources under " + sources);
        assertEquals(List.of(), hits, "sources outside ipc.core.channel.chronicle that name Chronicle");
    }

    private static Path mainSources() {
        Path argfile = Path.of(System.getProperty("ipc.jvm.options", "jvm.options")).toAbsolutePath();
        return argfile.getParent().resolve("src/main/java");
    }

    private static boolean visible(Class<?> owner, Member m) {
        int mod = m.getModifiers();
        if (Modifier.isPublic(mod)) {
            return true;
        }
        // protected members are API only where a user can subclass
        return Modifier.isProtected(mod) && !Modifier.isFinal(owner.getModifiers())
            && (owner.isInterface() || hasVisibleConstructor(owner));
    }

    private static boolean hasVisibleConstructor(Class<?> c) {
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (Modifier.isPublic(k.getModifiers()) || Modifier.isProtected(k.getModifiers())) {
                return true;
            }
        }
        return false;
    }

    private static void check(String where, Type t, List<String> leaks) {
        switch (t) {
            case null -> { }
            case Class<?> c -> {
                if (!allowed(c)) {
                    leaks.add(where + ": " + c.getName());
                }
            }
            case ParameterizedType p -> {
                check(where, p.getRawType(), leaks);
                for (Type a : p.getActualTypeArguments()) {
                    check(where, a, leaks);
                }
            }
            case GenericArrayType g -> check(where, g.getGenericComponentType(), leaks);
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) {
                    check(where, b, leaks);
                }
                for (Type b : w.getLowerBounds()) {
                    check(where, b, leaks);
                }
            }
            case TypeVariable<?> v -> {
                for (Type b : v.getBounds()) {
                    check(where, b, leaks);
                }
            }
            default -> leaks.add(where + ": unknown kind of type " + t);
        }
    }
}
