package org.iprg.neo4j;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.collections.api.map.primitive.MutableIntObjectMap;
import org.eclipse.collections.api.set.primitive.MutableIntSet;
import org.eclipse.collections.impl.factory.primitive.IntSets;
import org.eclipse.collections.impl.map.mutable.primitive.IntObjectHashMap;
import org.eclipse.collections.impl.set.mutable.primitive.IntHashSet;
import org.neo4j.exceptions.KernelException;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.TokenWrite;
import org.neo4j.internal.kernel.api.Write;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;
import org.neo4j.values.storable.Value;
import org.neo4j.values.storable.Values;

/**
 * The bulk first load of the RDF mirror (kg/mirror.py), registered in the bundled launcher.
 *
 * <p>Why in-process: a first sync into an empty database writes every node and relationship, and
 * through Cypher each row pays for generic work (map coercion, dynamic labels, one property write
 * and label/index check per key, an index seek per relationship end). Here a batch is written
 * through the kernel's write API in the caller's transaction (so a batch is still all-or-nothing
 * and the Python side keeps its crash-safety rules): a node's labels and properties in one
 * {@code nodeApplyChanges}, token ids looked up once per batch, node ids handed back to the caller,
 * and relationships created between ids: no index seek per relationship end. The kernel API is
 * internal to Neo4j; the launcher pins the version (pom.xml), and any change shows in the
 * mirror's bulk-vs-Cypher test.
 *
 * <p>The payload is compact lists, not maps per relationship. Values arrive as Bolt types (String,
 * Long, Double, Boolean, LocalDate, lists of one of those) and lists become typed arrays, which is
 * what Cypher's {@code SET n = map} would store. Any Neo4j without this class keeps working: the
 * Python side asks {@code iprg.mirror.loader()} first and otherwise writes through Cypher.
 */
public final class MirrorLoader {
    /** Bumped whenever the payload changes; the Python side only uses a version it speaks. */
    public static final long VERSION = 1;

    @Context
    public Transaction tx;

    public static final class Version {
        public long version;

        public Version(long version) {
            this.version = version;
        }
    }

    public static final class Ids {
        public List<Long> ids;

        public Ids(List<Long> ids) {
            this.ids = ids;
        }
    }

    public static final class Count {
        public long relationships;

        public Count(long relationships) {
            this.relationships = relationships;
        }
    }

    @Procedure(name = "iprg.mirror.loader", mode = Mode.READ)
    @Description("The version of the bulk-load payload this server understands.")
    public Stream<Version> loader() {
        return Stream.of(new Version(VERSION));
    }

    /**
     * Rows {@code [uri, labels, props, hash, edgeHash]}: one new {@code :Resource} node each, with
     * {@code uri}, the properties, {@code _hash} and (when not null) {@code _ehash}. Returns the new
     * nodes' ids in row order.
     */
    @Procedure(name = "iprg.mirror.createNodes", mode = Mode.WRITE)
    @Description("Bulk first load: create mirror nodes from compact rows, return their ids.")
    public Stream<Ids> createNodes(@Name("rows") List<Object> rows) throws KernelException {
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        Tokens tokens = new Tokens(ktx.tokenWrite());
        Write write = ktx.dataWrite();
        int uri = tokens.key("uri");
        int hash = tokens.key("_hash");
        int edgeHash = tokens.key("_ehash");
        int resource = tokens.label("Resource");
        Long[] ids = new Long[rows.size()];
        int i = 0;
        for (Object item : rows) {
            List<?> row = (List<?>) item;
            List<?> names = (List<?>) row.get(1);
            Map<?, ?> props = (Map<?, ?>) row.get(2);
            MutableIntSet labels = new IntHashSet(names.size() + 1);
            labels.add(resource);
            for (Object name : names) {
                labels.add(tokens.label((String) name));
            }
            MutableIntObjectMap<Value> values = new IntObjectHashMap<>(props.size() + 3);
            values.put(uri, Values.stringValue((String) row.get(0)));
            for (Map.Entry<?, ?> prop : props.entrySet()) {
                values.put(tokens.key((String) prop.getKey()), Values.of(property(prop.getValue())));
            }
            values.put(hash, Values.stringValue((String) row.get(3)));
            if (row.get(4) != null) {
                values.put(edgeHash, Values.stringValue((String) row.get(4)));
            }
            long node = write.nodeCreate();
            write.nodeApplyChanges(node, labels, IntSets.immutable.empty(), values);
            ids[i++] = node;
        }
        return Stream.of(new Ids(List.of(ids)));
    }

    /**
     * Rows {@code [sourceId, edgeHash, [typeIndex, targetId, typeIndex, targetId, …]]}: the source's
     * outgoing relationships (types from {@code types}) and its {@code _ehash}, set together.
     */
    @Procedure(name = "iprg.mirror.createRelationships", mode = Mode.WRITE)
    @Description("Bulk first load: create the outgoing relationships of nodes given by id.")
    public Stream<Count> createRelationships(
            @Name("types") List<String> types, @Name("rows") List<Object> rows) throws KernelException {
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        Tokens tokens = new Tokens(ktx.tokenWrite());
        Write write = ktx.dataWrite();
        int edgeHash = tokens.key("_ehash");
        int[] typeIds = new int[types.size()];
        for (int k = 0; k < typeIds.length; k++) {
            typeIds[k] = tokens.type(types.get(k));
        }
        long created = 0;
        for (Object item : rows) {
            List<?> row = (List<?>) item;
            long source = (Long) row.get(0);
            write.nodeSetProperty(source, edgeHash, Values.stringValue((String) row.get(1)));
            List<?> out = (List<?>) row.get(2);
            for (int k = 0; k + 1 < out.size(); k += 2) {
                write.relationshipCreate(source, typeIds[((Long) out.get(k)).intValue()], (Long) out.get(k + 1));
                created++;
            }
        }
        return Stream.of(new Count(created));
    }

    /** Token ids by name, looked up (or created) once per batch. */
    private static final class Tokens {
        private interface Lookup {
            int id(String name) throws KernelException;
        }

        private final TokenWrite write;
        private final Map<String, Integer> labels = new HashMap<>();
        private final Map<String, Integer> keys = new HashMap<>();

        Tokens(TokenWrite write) {
            this.write = write;
        }

        private static int cached(Map<String, Integer> cache, String name, Lookup lookup) throws KernelException {
            Integer id = cache.get(name);
            if (id == null) {
                id = lookup.id(name);
                cache.put(name, id);
            }
            return id;
        }

        int label(String name) throws KernelException {
            return cached(labels, name, write::labelGetOrCreateForName);
        }

        int key(String name) throws KernelException {
            return cached(keys, name, write::propertyKeyGetOrCreateForName);
        }

        int type(String name) throws KernelException {
            return write.relationshipTypeGetOrCreateForName(name);
        }
    }

    /** A Bolt value as a Neo4j property: lists become typed arrays (all one type, never empty). */
    static Object property(Object value) {
        if (!(value instanceof List<?> list)) {
            return value;
        }
        Object first = list.get(0);
        if (first instanceof String) {
            return list.toArray(new String[0]);
        }
        if (first instanceof Long) {
            return list.stream().mapToLong(x -> (Long) x).toArray();
        }
        if (first instanceof Double) {
            return list.stream().mapToDouble(x -> (Double) x).toArray();
        }
        if (first instanceof LocalDate) {
            return list.toArray(new LocalDate[0]);
        }
        if (first instanceof Boolean) {
            boolean[] out = new boolean[list.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = (Boolean) list.get(k);
            }
            return out;
        }
        throw new IllegalArgumentException("unsupported list element type " + first.getClass().getSimpleName());
    }
}
