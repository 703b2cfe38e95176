// Package importer imports users in bulk from the files admins keep them
// in (seeds 000 and 002): .csv, .txt and .xlsx, up to 5,000 rows, all or
// nothing.
//
// The package has two halves. The file side reads an upload into a
// Table (ReadTable), maps its columns to user fields (MapColumns, or the
// seeds' column order for a file without a header), writes the errors
// file of a failed import (WriteErrors) and the example file admins
// download first (WriteTemplate). The service side (Service.Import)
// validates every row with the same rules as an interactive create,
// finds duplicates within the file and collisions with existing users,
// and creates every user in one transaction, or none.
//
// # Quick start
//
//	t, err := importer.ReadTable(ctx, upload, "users.xlsx", importer.Limits{})
//	if err != nil { … } // *FormatError, *LimitError, ErrLegacyXLS, ErrEmpty
//	m, err := t.Mapping()
//	if err != nil { … } // *ColumnsError: missing or repeated columns
//	for _, row := range t.Rows {
//		rec := m.Record(row.Cells)
//		fmt.Println(row.Line, rec.Get(importer.FieldEmail))
//	}
//
// # Reading files
//
// ReadTable checks the file's content against its name: an old .xls
// workbook gets "save as .xlsx or .csv", a PDF named .csv or a text file
// named .xlsx a clear error, never a panic. Text files may be UTF-8 (with
// or without a byte order mark), UTF-16 (Excel's "Unicode Text") or
// Windows-1252 (Excel's "CSV (Comma delimited)" on Windows), delimited by
// commas, semicolons, tabs or '|'. Workbooks are vetted before they are
// opened (size once inflated, compression ratio, number of parts), so a
// zip bomb is refused at once, and read as a stream of text cells: a
// phone stored as a number reads 447911123456, not 4.47911123456E+11.
// Limits bounds everything: bytes, rows (5,000 data rows by default),
// columns and cell size.
//
// # Columns
//
// Headers are matched case- and space-insensitively against the
// template's headers and common alternatives ("Login", "User Name",
// "E-mail", "Mobile", "Phone No."); see FieldOf and the Field constants.
// Unknown columns are reported and skipped; a mandatory column missing,
// or a field in two columns, refuses the file up front with every
// problem listed (*ColumnsError). A file whose first row holds data (an
// e-mail address, a phone number) is read in the seeds' order.
//
// # Importing
//
// Service.Import runs the whole flow for an acting admin, who needs
// PermImport and PermUsers over the target group:
//
//	imp, err := importer.New(importer.Config{Users: users, Hasher: hasher, Invites: invites})
//	rep, err := imp.Import(ctx, actorID, importer.Source{Name: "users.xlsx", Reader: upload},
//		importer.Options{Group: groupID, ServiceLevel: usermgmt.LevelPro, SendWelcome: true})
//	if errors.Is(err, usermgmt.ErrInvalid) {
//		// rep.Errors lists every problem by row and column;
//		// rep.WriteErrorsFile writes the upload back with an Errors column.
//	}
//	fmt.Println(rep.Summary()) // "5000 rows read, 4990 users created, 10 ownership requests sent, ..."
//
// Rows are validated in parallel on every core (phone parsing dominates),
// their order kept in the report. Values repeated within the file, and
// users who already exist in the account, are errors; users who exist in
// another account get an ownership request instead (Invites, which
// package invite implements). If anything is wrong, nothing is written.
// Otherwise the users and their audit events are created in one
// transaction, the seat limit holding for the whole batch ("the import
// needs N seats, M are free"). Plaintext passwords are hashed in parallel
// through the bounded Hasher only once the rows are known to be good;
// PHC and bcrypt hashes from another system are vetted and stored as
// they are; rows without a password become pending users, who get an
// activation mail with Options.SendWelcome. Options.DryRun checks
// everything and writes nothing; Options.Progress reports each stage for
// a progress bar; cancelling ctx stops the import at any stage before
// the commit, leaving nothing behind.
//
// # Errors file and template
//
// WriteErrors writes the uploaded rows back, in the upload's format, with
// an Errors column; cells a spreadsheet would run as formulas are
// neutralised with a leading "'", which ReadTable removes again, so the
// corrected errors file can be imported as it is. WriteTemplate writes
// the header row, an example row and, in .xlsx, a Notes sheet with every
// column's rule (TemplateNotes).
package importer
