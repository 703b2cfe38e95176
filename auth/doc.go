// Package auth signs users in and keeps them signed in: passwords
// (argon2id), login with an SMS PIN as second factor, throttling of
// password guessing, sessions, password reset and username reminder by
// mail, password changes, and API keys for system users.
//
// It builds on the admin core, package usermgmt: users, accounts and the
// audit log live there, and every record auth writes goes through the
// same usermgmt.Store, so that several application instances share
// sessions, challenges and failure counters.
//
// # Quick start
//
//	users, _ := usermgmt.New(usermgmt.Config{Store: store, Hasher: hasher})
//	a, err := auth.New(auth.Config{
//		Users:    users,
//		Hasher:   hasher,                  // auth.NewHasher(auth.HashConfig{})
//		SMS:      sender,                  // sms.NewConsole(os.Stdout) in development
//		Mailer:   mailer,                  // mail.NewConsole(os.Stdout) in development
//		CodeKey:  key,                     // 32+ random bytes, the same on every instance
//		ResetURL: func(t string) string { return "https://app.example/reset?t=" + t },
//	})
//
//	res, err := a.Login(ctx, auth.Credentials{Login: "alice", Password: pw, ClientKey: ip})
//	// res.Challenge: the PIN went to the user's mobile phone; ask for it.
//	iss, err := a.VerifyPIN(ctx, res.Challenge.Token, pin, ip)
//	// iss.Token goes into a cookie; on every request:
//	p, err := a.Authenticate(ctx, token) // p.User, p.Account, p.Session
//
// # Login
//
// Login takes a username (or an e-mail address, see Config.LoginBy) and a
// password. Only active people log in; system users use API keys. Every
// failure is usermgmt.ErrInvalidCredentials: unknown user, wrong
// password, pending, suspended, disabled or deleted user, and a
// throttled login look the same, and each costs one password
// verification, so neither the answer nor its time tells whether a
// username exists. A stored hash in an older format (bcrypt, argon2i,
// scrypt, PBKDF2, older argon2id parameters) is replaced with a fresh
// argon2id hash at the next successful login.
//
// # Second factor
//
// When the user's account has the SMS PIN on (the default, seed 000), a
// correct password returns a Challenge instead of a session, and a PIN
// goes to the user's mobile phone; no SMS is ever sent before the
// password is verified. The PIN has 6 digits from crypto/rand, works for
// 10 minutes and once, and is stored only as an HMAC-SHA256 under
// Config.CodeKey, bound to the challenge and its user. After 5 wrong
// tries the challenge is dead (usermgmt.ErrLocked); ResendPIN sends a new
// PIN after a cooldown, a few times at most, and the previous PIN stops
// working. Put the sms.Sender behind a rate-limiting guard so that
// nobody can pump SMS through the login form (package roster's Kit
// does).
//
// # Throttling
//
// Failures are counted in the store per user and per client key (an IP
// address, say, chosen by the host). Past Throttle.Threshold failures (10
// by default) each further try waits, the wait doubling from
// Throttle.BaseDelay up to Throttle.MaxDelay; a throttled try answers
// ErrInvalidCredentials like any failure. Nothing locks an account for
// good, so an attacker cannot lock a user out for longer than MaxDelay
// after each of their own tries. With the defaults an attacker gets 17
// guesses in the first hour and about 110 a day against one account
// (TestGuessesPerHour).
//
// # Sessions and API keys
//
// Session tokens and API keys are 256-bit values from crypto/rand,
// stored only as their SHA-256. A session ends at logout, after
// Sessions.Idle without use, Sessions.Absolute after login, and at once
// when its user's status or password changes or the user is deleted.
// API keys belong to system users (seed 003), act with that user's
// grants, and last until revoked.
//
// # Recovery
//
// RequestReset and RemindUsername answer nil whether or not the
// address is known, and mail only existing, active users. A reset link
// is single-use and works for an hour; using it enforces the password
// policy, ends every session of the user and voids their other links.
//
// # Errors
//
// Callers match the sentinels of package usermgmt with errors.Is:
// ErrInvalidCredentials for a failed login, PIN, session or API key;
// ErrLocked for a dead challenge; ErrExpired for a challenge or reset
// link past its lifetime (log in, or ask for a link, again); ErrUsed for a
// reset link already used; ErrNotFound for a reset link that never was;
// ErrRateLimited (a *RetryError saying when) for a resend too soon;
// ErrInvalid (a *usermgmt.ValidationError) for a password the policy
// refuses; ErrForbidden when an admin acts outside their scope.
//
// # Security properties and their tests
//
// Each property of SECURITY.md this package owns has a test named after
// it:
//
//	P1 TestP1PasswordsStoredAsArgon2idNeverLeak
//	P2 TestP2PasswordPolicyBeforeHashing
//	P3 TestP3ImportedHashesVerifyAndUpgrade, TestRehashOnLogin
//	P4 TestP4ConcurrentLoginsBoundMemory (end to end; the hasher alone:
//	   TestConcurrentLoginsBoundHeap)
//	L1 TestLoginFailuresLookAlike
//	L2 TestEnumerationTiming
//	L3 TestPasswordReset/uniform_answers..., TestL3RecoveryAnswersUniformly
//	L4 TestThrottle, TestL4DelayGrowsAndEnds, TestL4ClientKeySpray,
//	   TestL4CountersHoldAcrossInstances, TestGuessesPerHour
//	O1 TestPIN/valid_10_minutes, TestO1CodesAreSixRandomDigits
//	O2 TestO2CodeStoredAsHMACUnderHostKey
//	O3 TestPIN/five_wrong_then_right_fails, TestPIN/a_million_guesses,
//	   TestPIN/1000_concurrent_wrong_guesses
//	O4 TestPIN/two_concurrent_correct_submissions_give_one_session
//	O5 TestPIN/resend, TestO5ConcurrentResendsKeepTheCap
//	O6 TestPIN/bound_to_its_user_and_login
//	S3 TestS3NoSMSBeforePassword
//	T1 TestT1TokensAre256BitAndStoredHashed
//	T2 TestT2ResetTokenSingleUseAndExpiry
//	T4 TestT4SessionsEnd, TestSessions, TestT4APIKeysEnd
package auth
