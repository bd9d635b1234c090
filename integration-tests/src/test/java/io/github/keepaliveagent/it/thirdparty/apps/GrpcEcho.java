package io.github.keepaliveagent.it.thirdparty.apps;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;

import io.grpc.MethodDescriptor;

/**
 * The one unary method of {@link GrpcServerApp} and {@link GrpcClientApp}, written by hand with a
 * byte[] marshaller so that no protoc step is needed; and what grpc-netty-shaded picks by default.
 */
final class GrpcEcho {

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<byte[]>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final String SERVICE = "keepalive.Echo";

    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Echo"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    /**
     * A static field of grpc-netty-shaded's package-private {@code Utils}: the channel type or
     * factory that its builders use when the program names none (epoll where available).
     */
    static String shadedDefault(String field) {
        try {
            Field f = Class.forName("io.grpc.netty.shaded.io.grpc.netty.Utils").getDeclaredField(field);
            f.setAccessible(true);
            Object value = f.get(null);
            return value instanceof Class ? ((Class<?>) value).getName() : String.valueOf(value);
        } catch (ReflectiveOperationException e) {
            return "unknown(" + e + ")";
        }
    }

    /** Epoll.isAvailable() of the relocated Netty, and why not. */
    static String epollAvailable() {
        boolean available = io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.isAvailable();
        return available ? "true" : "false(" + io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.unavailabilityCause()
                + ")";
    }

    private GrpcEcho() {
    }
}
