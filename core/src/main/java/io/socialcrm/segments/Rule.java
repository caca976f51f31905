package io.socialcrm.segments;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compiled, type-checked rule: evaluates to true or false over a {@link ProfileView}, and says why.
 * Most rules run as Java closures ({@link RuleClosures}: comparisons, arithmetic on doubles, boolean
 * operators over the scalar variables and {@code context("id")}). The others run on CEL's
 * interpreter; CEL is free of side effects, so one that reads only scalar variables and
 * {@code context("id")} calls is a pure function of those values, and its results are remembered by
 * them.
 */
public final class Rule {
    private static final int MEMO_SIZE = 4096;
    private static final Set<String> NON_SCALAR = Set.of("contexts", "platforms");
    private final String source;
    private final CelRuntime.Program program;
    private final List<String> variables;
    private final List<String> contexts;
    private final boolean memoizable;
    private final Map<List<Object>, Boolean> memo;
    /** The rule as Java closures when it is in their subset (most are), else null: CEL evaluates it. */
    private final RuleClosures.Condition closure;

    Rule(String source, CelAbstractSyntaxTree ast, CelRuntime.Program program) {
        this.source = source;
        this.program = program;
        TreeSet<String> vars = new TreeSet<>();
        for (CelReference reference : ast.getReferenceMap().values()) {
            if (reference.overloadIds().isEmpty() && SegmentLanguage.VARIABLES.containsKey(reference.name())) {
                vars.add(reference.name());
            }
        }
        this.variables = List.copyOf(vars);
        TreeSet<String> ctx = new TreeSet<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(node -> {
            CelExpr expr = node.expr();
            if (expr.exprKind().getKind() == CelExpr.ExprKind.Kind.CALL
                    && SegmentLanguage.CONTEXT_FUNCTION.equals(expr.call().function())
                    && expr.call().args().size() == 1
                    && expr.call().args().get(0).exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && expr.call().args().get(0).constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                ctx.add(expr.call().args().get(0).constant().stringValue());
            }
        });
        this.contexts = List.copyOf(ctx);
        long contextCalls = CelNavigableAst.fromAst(ast).getRoot().allNodes()
                .filter(n -> n.expr().exprKind().getKind() == CelExpr.ExprKind.Kind.CALL
                        && SegmentLanguage.CONTEXT_FUNCTION.equals(n.expr().call().function()))
                .count();
        long constantCalls = CelNavigableAst.fromAst(ast).getRoot().allNodes()
                .filter(n -> n.expr().exprKind().getKind() == CelExpr.ExprKind.Kind.CALL
                        && SegmentLanguage.CONTEXT_FUNCTION.equals(n.expr().call().function())
                        && n.expr().call().args().size() == 1
                        && n.expr().call().args().get(0).exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT)
                .count();
        this.memoizable = contextCalls == constantCalls && vars.stream().noneMatch(NON_SCALAR::contains);
        this.memo = memoizable ? new ConcurrentHashMap<>() : null;
        this.closure = RuleClosures.of(ast);
    }

    public String source() {
        return source;
    }

    /** Evaluates the rule; an evaluation error (a missing map key, say) is an {@link CelEvaluationException}. */
    public boolean test(ProfileView view) throws CelEvaluationException {
        if (closure != null) {
            try {
                return closure.test(view);
            } catch (RuleClosures.Inexact e) {
                // an integer beyond 2^53: CEL decides
            }
        }
        if (!memoizable) {
            return evaluate(view);
        }
        List<Object> key = new ArrayList<>(variables.size() + contexts.size());
        for (String variable : variables) {
            key.add(view.find(variable).orElse(null));
        }
        for (String context : contexts) {
            key.add(view.context(context));
        }
        Boolean known = memo.get(key);
        if (known != null) {
            return known;
        }
        boolean result = evaluate(view);
        if (memo.size() >= MEMO_SIZE) {
            memo.clear();
        }
        memo.put(key, result);
        return result;
    }

    /** Whether the rule runs as Java closures rather than through CEL's interpreter. */
    boolean closed() {
        return closure != null;
    }

    /** The rule evaluated by CEL (what the closures must agree with). */
    boolean evaluate(ProfileView view) throws CelEvaluationException {
        return Boolean.TRUE.equals(program.eval(view, view.functions()));
    }

    /** The values the rule looked at, e.g. {@code influence.score=93.1, context("soccer")=2.4}. */
    public String values(ProfileView view) {
        List<String> parts = new ArrayList<>();
        for (String variable : variables) {
            parts.add(variable + "=" + format(view.find(variable).orElse(null)));
        }
        for (String context : contexts) {
            parts.add("context(\"" + context + "\")=" + format(view.context(context)));
        }
        return String.join(", ", parts);
    }

    static String format(Object value) {
        if (value instanceof Double d) {
            // three decimals, without trailing zeros (and without the point when none is left); no
            // regular expression: two were compiled for every figure of every segment change's reason
            String s = String.format(Locale.ROOT, "%.3f", d);
            if (s.indexOf('.') < 0) {
                return s; // NaN, Infinity
            }
            int end = s.length();
            while (s.charAt(end - 1) == '0') {
                end--;
            }
            return s.substring(0, s.charAt(end - 1) == '.' ? end - 1 : end);
        }
        return String.valueOf(value);
    }
}
