// How a casacore table's columns are stored, and a deep copy that changes it: what `pclean check-storage` and
// `pclean convert-storage` do. Plain data out (names, shapes as text); casacore's errors as exceptions.
#pragma once

namespace pclean {

class TableStorage {
 public:
  // Opens the table at path read-only; throws casacore's message when it is not a table.
  explicit TableStorage(const char* path);
  ~TableStorage();

  long long numRows();
  int numColumns();
  const char* columnName(int column);
  // The column's data manager: its type ("StandardStMan", "TiledShapeStMan", "IncrementalStMan", ...) and name.
  const char* managerType(int column);
  const char* managerName(int column);
  // A tiled manager's tile shape as "[4, 16, 1024]" (its data's, else its default for new data); "" for others.
  const char* tileShape(int column);

  // Whether the linked casacore can make a data manager of this type (e.g. "Adios2StMan").
  static bool managerAvailable(const char* type);

  // Deep copy (values, not references; sub-tables too) to out, with the comma-separated columns stored by one
  // TiledShapeStMan per column, with the given tile shape where it fits (ndim values, for columns whose cells
  // have ndim - 1 axes) and casacore's default elsewhere; the other columns keep their managers. Throws when out exists or a column is not an array column of this table.
  void copyTiled(const char* out, const char* columns, const int* tileShape, int ndim);

  // Compares every cell of the comma-separated columns with the table at other, bit for bit; "" when all are
  // equal, else the first difference ("DATA row 17 differs").
  const char* compare(const char* other, const char* columns);

 private:
  struct Impl;
  Impl* impl;
};

}  // namespace pclean
