import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step, run by Maven after the shade plugin (java HideAgentClasses.java JAR): moves every class
 * of the agent proper to keepalive-agent/NAME.classdata, where the application's class loader, which has
 * the jar on its class path, never finds a class; only the launcher package stays where a class loader
 * looks. The dispatcher's class file (package java.net, which no class path may define) goes to
 * keepalive-agent/KeepAliveAgentDispatcher.class; keepalive-agent/packages lists the agent's packages.
 * Entry order and times are kept: the output is as reproducible as its input.
 */
public final class HideAgentClasses {

    private static final String LAUNCHER = "io/github/keepaliveagent/launcher/";
    private static final String DISPATCHER = "java/net/KeepAliveAgentDispatcher.class";

    public static void main(String[] args) throws IOException {
        Path jar = Paths.get(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".tmp");
        int moved = 0;
        java.util.Set<String> packages = new java.util.TreeSet<>();
        try (ZipFile in = new ZipFile(jar.toFile());
                OutputStream file = Files.newOutputStream(out);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() && !name.startsWith("META-INF/") && !LAUNCHER.startsWith(name)) {
                    continue; // directories of moved classes
                }
                String target = name;
                if (name.equals(DISPATCHER)) {
                    target = "keepalive-agent/KeepAliveAgentDispatcher.class";
                } else if (name.endsWith(".class") && !name.startsWith(LAUNCHER) && !name.startsWith("META-INF/")) {
                    target = "keepalive-agent/" + name.substring(0, name.length() - ".class".length()) + ".classdata";
                }
                if (!target.equals(name)) {
                    moved++;
                    int slash = target.lastIndexOf('/');
                    if (target.endsWith(".classdata") && slash > "keepalive-agent/".length()) {
                        packages.add(target.substring("keepalive-agent/".length(), slash).replace('/', '.'));
                    }
                }
                ZipEntry copy = new ZipEntry(target);
                copy.setTime(entry.getTime());
                zip.putNextEntry(copy);
                try (InputStream data = in.getInputStream(entry)) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    byte[] buffer = new byte[8192];
                    for (int n; (n = data.read(buffer)) > 0; ) {
                        bytes.write(buffer, 0, n);
                    }
                    zip.write(bytes.toByteArray());
                }
                zip.closeEntry();
            }
            // The packages of the agent's module, listed once here rather than at every JVM's start-up.
            ZipEntry list = new ZipEntry("keepalive-agent/packages");
            list.setTime(in.getEntry("META-INF/MANIFEST.MF").getTime());
            zip.putNextEntry(list);
            zip.write(String.join("\n", packages).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        if (moved == 0) {
            throw new IllegalStateException("no agent class found in " + jar + ": was it hidden already?");
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("[hide-agent-classes] " + moved + " classes of the agent moved under keepalive-agent/ in "
                + jar.getFileName());
    }
}
