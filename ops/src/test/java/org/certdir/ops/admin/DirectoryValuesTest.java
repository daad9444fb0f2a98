package org.certdir.ops.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DirectoryValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"alice@example.com", "Alice.Example+smime@mail.example.org", "o'brien@example.ie", "a/b=c@example.com",
            "user@xn--bcher-kva.example", "x@a-b.example.com"})
    void mailProblem_acceptsRfc5321Mailboxes(String mail) {
        assertNull(DirectoryValues.mailProblem("mail", mail));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice..example@example.com", ".alice@example.com", "alice@example.com.", "alice@-example.com",
            "alice@example-.com", "alice@exa_mple.com", "@example.com", "alice@", "alice", "alice@example..com"})
    void mailProblem_refusesWhatIsNotADotAtomAtAHostName(String mail) {
        assertEquals("mail '" + mail + "' is not a mail address like alice@example.com", DirectoryValues.mailProblem("mail", mail));
    }

    @Test
    void nameProblem_refusesC1ControlsAndLineSeparators_andBlankNames() {
        assertEquals("cn 'A?B' contains a control character", DirectoryValues.nameProblem("cn", "A\u0085B", 256));
        assertEquals("cn 'A?B' contains a control character", DirectoryValues.nameProblem("cn", "A\u2028B", 256));
        assertEquals("cn is missing or blank", DirectoryValues.nameProblem("cn", " \t", 256));
        assertNull(DirectoryValues.nameProblem("cn", "Zoë Ångström-Łukasiewicz", 256));
    }
}
