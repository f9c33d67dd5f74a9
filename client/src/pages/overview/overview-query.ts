import { graphql } from '../../graphql/generated';

/** The overview's matrix (its own module: client/src/boot.ts seeds its answer into the cache before the first render). */
export const OverviewMatrixQuery = graphql(`
  query OverviewMatrix($regionCode: String!) {
    matrix(regionCode: $regionCode) {
      region {
        code
        name
        level
        ancestors {
          code
          name
        }
      }
      ...MatrixTable_matrix
      byLevel {
        level
        live
        openFindings
        cells {
          platform
          active
          suspended
          closed
          total
          openFindings
        }
      }
    }
  }
`);
